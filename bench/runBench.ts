import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBenchOptions } from './benchOptions';
import { benchCacheDir, CONFORMANCE_IMAGES, RESULTS_DIR } from './benchPaths';
import { benchImages, type ImageSetName, type SyntheticSetName } from './fixtures/benchImages';
import { CAMERA_SETS, cameraImages } from './fixtures/cameraImages';
import { benchModel } from './fixtures/benchModels';
import { simdAvailable } from '../engine/image/simdBicubicPasses';
import { machineInfo } from './machineInfo';
import { benchPlan, type BenchFixtures } from './plan/benchPlan';
import { runMeasured } from './plan/runMeasured';
import { buildReport, type RunRecord } from './report/buildReport';
import { renderChart } from './report/renderChart';
import { renderHeadlineChart } from './report/renderHeadlineChart';
import { renderMarkdown, renderText } from './report/renderTable';

const log = (message: string): void => void process.stdout.write(`${message}\n`);

async function fixtures(cacheDir: string, large: boolean): Promise<BenchFixtures> {
	const vitB32 = await benchModel(cacheDir, 'vit-b-32', log);
	const vitL14 = large ? await benchModel(cacheDir, 'vit-l-14', log) : undefined;
	const names: SyntheticSetName[] = ['photo-12mp', 'photo-1mp', 'mixed', 'agreement'];
	const synthetic = await Promise.all(names.map(async (name) => [name, await benchImages(cacheDir, name, log)] as const));
	// One at a time: each generator already keeps both cores busy.
	const camera: Array<readonly [ImageSetName, string[]]> = [];
	for (const name of CAMERA_SETS) camera.push([name, await cameraImages(cacheDir, name, CONFORMANCE_IMAGES, log)]);
	const images = Object.fromEntries([...synthetic, ...camera]) as Record<ImageSetName, string[]>;
	return { vitB32, vitL14, images };
}

function headline(record: RunRecord): string {
	return record.result.measurements.map((m) => `${m.key} ${m.imagesPerSecond.map((v) => v.toFixed(1)).join('/')} img/s`).join(', ') || 'done';
}

async function main(): Promise<void> {
	const options = parseBenchOptions(process.argv.slice(2));
	// The package ships the SIMD resampler; a bench without it would measure another program.
	if (!simdAvailable()) throw new Error('the WebAssembly SIMD resampler did not load (is bicubicPasses.wasm beside the compiled engine?)');
	const cacheDir = benchCacheDir();
	log(`benchmark inputs in ${cacheDir}`);
	const inputs = await fixtures(cacheDir, options.large);
	if (options.prepareOnly) return;

	const plan = benchPlan(options, inputs);
	const mode = options.quick ? 'quick' : 'full';
	// Every record as it comes, so an interrupted run still leaves its measurements behind.
	const recordsFile = join(cacheDir, 'results', `${mode}-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`);
	mkdirSync(join(cacheDir, 'results'), { recursive: true });
	log(`records: ${recordsFile}`);
	const started = Date.now();
	const records: RunRecord[] = [];
	const failures: string[] = [];
	const total = plan.reduce((n, run) => n + Math.min(run.rounds, options.rounds), 0);
	let done = 0;
	// Interleaved: every scenario once per round, so drift over the run (heat, other load) spreads evenly.
	for (let round = 0; round < options.rounds; round++) {
		for (const run of plan) {
			if (round >= run.rounds) continue;
			done++;
			const t = Date.now();
			try {
				const { result, othersShare } = await runMeasured(run.spec, options.maxWaitSeconds * 1000, log);
				records.push({ run, round, result, othersShare });
				appendFileSync(recordsFile, `${JSON.stringify({ name: run.name, round, othersShare, result })}\n`);
				const disturbed = othersShare > 0.05 ? `, others ${(othersShare * 100).toFixed(0)}% of the CPU` : '';
				log(`[${done}/${total}] round ${round + 1} ${run.name}: ${headline(records[records.length - 1])} (${((Date.now() - t) / 1000).toFixed(1)} s${disturbed})`);
			} catch (error) {
				failures.push(`${run.name}: ${(error as Error).message}`);
				log(`[${done}/${total}] round ${round + 1} ${run.name}: FAILED ${(error as Error).message}`);
			}
		}
	}

	const report = buildReport(records, {
		mode,
		startedAt: new Date(started).toISOString(),
		durationSeconds: Math.round((Date.now() - started) / 1000),
		rounds: options.rounds,
		machine: machineInfo(),
	});
	log('');
	log(renderText(report));

	// A filtered run is a partial picture: keep it out of the committed results.
	const outDir = options.only ? join(cacheDir, 'results') : RESULTS_DIR;
	mkdirSync(outDir, { recursive: true });
	writeFileSync(join(outDir, `${mode}.json`), `${JSON.stringify(report, null, '\t')}\n`);
	writeFileSync(join(outDir, `${mode}.md`), renderMarkdown(report));
	writeFileSync(join(outDir, `${mode}-throughput.svg`), renderChart(report));
	writeFileSync(join(outDir, `${mode}-headline.svg`), renderHeadlineChart(report));
	log(`\nwrote ${join(outDir, `${mode}.json`)}, ${mode}.md, ${mode}-throughput.svg and ${mode}-headline.svg (${report.durationSeconds} s)`);
	if (failures.length > 0) {
		log(`\n${failures.length} scenario(s) failed:\n${failures.join('\n')}`);
		process.exitCode = 1;
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exitCode = 1;
});
