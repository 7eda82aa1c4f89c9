/**
 * `npm run bench:api [-- --quick] [--rounds N] [--models vit-b-32,tiny] [--keep]`
 *
 * The feature-extraction API (examples/feature-extraction-api.json, data table store) in a real
 * `n8n start` (the e2e suite's n8n and harness), against this package's Classify node alone in
 * the same n8n on the same images: jobs/s and images/s of batched jobs (16 images) and single
 * jobs, and the time from a POST to its id while a queue of batched jobs waits (30 posted:
 * about 20 still queued while measured), with and without their clients polling. Prints the
 * figures in markdown and writes them to bench/results/api-bench-latest.{md,json}.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { machineInfo } from '../machineInfo';
import { REPO_ROOT, runReference } from '../../test/e2e/clipE2eFixtures';
import { PREFIX, waitForApi } from '../../test/e2e/featureExtractionApiFixtures';
import { SeedApiClient } from '../../test/e2e/seedApiClient';
import type { N8nServer } from '../../test/e2e/n8nServer';
import { apiBenchInputs, type ApiBenchModelName } from './apiBenchInputs';
import { apiKey, renderMarkdown, type ApiBenchReport, type LatencyFigures, type ModelFigures } from './apiBenchReport';
import { apiRun, CLASSES, jobImages, latencyRun, maxRowDifference, nodeAloneRun, type Throughput } from './apiBenchScenarios';
import { apiBenchWorkflow, NODE_ALONE_PATH, nodeAloneWorkflow, TRIVIAL_PATH, trivialWorkflow } from './apiBenchWorkflows';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runner = require('../../test/e2e/n8nRunner') as typeof import('../../test/e2e/n8nRunner');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const server = require('../../test/e2e/n8nServer') as typeof import('../../test/e2e/n8nServer');

const log = (message: string): void => void process.stdout.write(`${message}\n`);

/**
 * The harness's request on a fresh connection each time: Node's default agent keeps sockets
 * alive, and one that n8n closed after its 5 s keep-alive timeout (the gaps between scenarios)
 * fails the next request with EPIPE. A loopback connect costs well under a millisecond.
 */
const request: typeof server.request = (method, url, body, headers = {}) => server.request(method, url, body, { connection: 'close', ...headers });

const DESCRIPTIONS: Record<ApiBenchModelName, string> = {
	'vit-b-32': 'The benches’ random-weight model with real CLIP ViT-B/32 dimensions (Hugging Face layout, fp32): inference costs what the real ViT-B/32 costs.',
	tiny: 'The e2e suite’s tiny random-weight CLIP: inference is nearly free, so what is measured is decoding the 1 MP images plus n8n’s and HTTP’s share.',
};

interface Options {
	readonly quick: boolean;
	readonly rounds: number;
	readonly models: readonly ApiBenchModelName[];
	readonly keep: boolean;
	readonly batchedJobs: number;
	readonly singleJobs: number;
	readonly clients: number;
	readonly queued: number;
	readonly probes: number;
}

function parseOptions(argv: readonly string[]): Options {
	const value = (flag: string): string | undefined => {
		const i = argv.indexOf(flag);
		return i >= 0 ? argv[i + 1] : undefined;
	};
	const known = new Set(['--quick', '--keep', '--rounds', '--models']);
	for (let i = 0; i < argv.length; i++) {
		if (!known.has(argv[i])) throw new Error(`unknown option ${argv[i]} (options: ${[...known].join(' ')})`);
		if (argv[i] === '--rounds' || argv[i] === '--models') i++;
	}
	const quick = argv.includes('--quick');
	const rounds = Number(value('--rounds') ?? (quick ? 1 : 2));
	if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds takes a positive integer');
	const models = (value('--models') ?? 'vit-b-32,tiny').split(',') as ApiBenchModelName[];
	for (const m of models) if (m !== 'vit-b-32' && m !== 'tiny') throw new Error(`--models: unknown model ${m} (vit-b-32, tiny)`);
	return { quick, rounds, models, keep: argv.includes('--keep'), batchedJobs: quick ? 2 : 6, singleJobs: quick ? 8 : 24, clients: 4, queued: 30, probes: quick ? 8 : 20 };
}

function uptime(): string {
	return execFileSync('uptime', { encoding: 'utf8' }).trim();
}

/** The engine in plain Node on the same files (batch size 16 and 1 image per call): the ceiling without n8n. */
function engineImagesPerSecond(modelDir: string, files: readonly string[]): { batched: number; single: number } {
	const requests = files.map((file) => ({ file, classes: CLASSES }));
	const batched = runReference({ model: modelDir, batchSize: 16, rounds: 2, requests });
	const single = runReference({ model: modelDir, batchSize: 1, rounds: 2, requests });
	const last = (ms: number[]): number => ms[ms.length - 1];
	return { batched: files.length / (last(batched.roundMs) / 1000), single: files.length / (last(single.roundMs) / 1000) };
}

/** n8n runs in its own process group: Ctrl-C (or SIGTERM) must stop it too, not leave it running. */
function stopOnSignal(n8n: { stop(graceMs?: number): Promise<void> }): void {
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		process.once(signal, () => {
			log(`\n${signal}: stopping n8n`);
			void n8n.stop(5000).finally(() => process.exit(130));
		});
	}
}

async function main(): Promise<void> {
	const options = parseOptions(process.argv.slice(2));
	const started = Date.now();
	const uptimeStart = uptime();
	log(`load at start: ${uptimeStart}`);
	const inputs = await apiBenchInputs(log);
	const layout = runner.getN8n();
	const { userFolder } = runner.createUserFolder('n8n-bench-api-');
	const port = await server.freePort();
	const base = `http://127.0.0.1:${port}`;
	const client = new SeedApiClient(`${base}/webhook/${PREFIX}`, request);
	const api = apiBenchWorkflow(inputs.models);
	const env = await server.serverEnv({ layout, userFolder, port, customExtensions: [REPO_ROOT], logLevel: 'info' });
	log(`n8n ${layout.version}, user folder ${userFolder}, package ${REPO_ROOT}`);
	await server.importAndActivate(layout, [api, nodeAloneWorkflow(api, inputs.models), trivialWorkflow()], { env, cwd: userFolder });
	let main: N8nServer | undefined;
	try {
		main = await server.startMain({ layout, env, cwd: userFolder, logFile: path.join(userFolder, 'main.log'), onSpawn: stopOnSignal });
		await waitForApi(client.baseUrl, request);
		await server.waitForWebhook(`${base}/webhook/${NODE_ALONE_PATH}`, { proc: main });
		await server.waitForWebhook(`${base}/webhook/${TRIVIAL_PATH}`, { proc: main });
		log(`n8n up after ${((Date.now() - started) / 1000).toFixed(0)} s`);

		const models: ModelFigures[] = [];
		for (const model of options.models) {
			log(`\n## ${model}: warm-up (model load), engine alone`);
			const warm = jobImages(inputs.images, 1, 16);
			await nodeAloneRun(request, base, model, warm, true);
			await apiRun(client, model, warm, true, 1, 100);
			const engine = engineImagesPerSecond(inputs.models[model], inputs.images.slice(0, 16));
			log(`  engine in plain Node: ${engine.batched.toFixed(2)} img/s batched, ${engine.single.toFixed(2)} img/s one by one`);
			const batchedJobs = jobImages(inputs.images, options.batchedJobs, 16);
			const singleJobs = jobImages(inputs.images, options.singleJobs, 1);
			const figures = { nodeAloneBatched: [] as Throughput[], nodeAloneSingle: [] as Throughput[], api: {} as Record<string, Throughput[]> };
			let agreement = 0;
			const record = (key: string, run: Throughput): void => {
				(figures.api[key] ??= []).push(run);
				log(`  ${key}: ${run.jobs} jobs, ${run.images} images in ${(run.wallMs / 1000).toFixed(1)} s = ${(run.images / (run.wallMs / 1000)).toFixed(2)} img/s, ${run.pollsPerSecond?.toFixed(1)} polls/s`);
			};
			// Interleaved rounds: drift (heat, others' load) spreads over every scenario alike.
			for (let round = 0; round < options.rounds; round++) {
				log(`round ${round + 1}/${options.rounds}`);
				const aloneBatched = await nodeAloneRun(request, base, model, batchedJobs, true);
				figures.nodeAloneBatched.push(aloneBatched);
				log(`  node alone batched: ${aloneBatched.images} images, wall ${(aloneBatched.wallMs / 1000).toFixed(1)} s, node ${((aloneBatched.nodeMs ?? 0) / 1000).toFixed(1)} s`);
				// 1 client: each job posted when the last completed (no overlap, no contention between jobs).
				for (const [pollMs, clients] of [[100, options.clients], [1000, options.clients], [100, 1]]) {
					const run = await apiRun(client, model, batchedJobs, true, clients, pollMs);
					agreement = Math.max(agreement, maxRowDifference(run.rows, aloneBatched.rows));
					record(apiKey('batched', pollMs, clients), run);
				}
				const aloneSingle = await nodeAloneRun(request, base, model, singleJobs, false);
				figures.nodeAloneSingle.push(aloneSingle);
				log(`  node alone single: ${aloneSingle.images} images, wall ${(aloneSingle.wallMs / 1000).toFixed(1)} s, node ${((aloneSingle.nodeMs ?? 0) / 1000).toFixed(1)} s`);
				for (const pollMs of [100, 1000]) {
					const run = await apiRun(client, model, singleJobs, false, options.clients, pollMs);
					agreement = Math.max(agreement, maxRowDifference(run.rows, aloneSingle.rows));
					record(apiKey('single', pollMs, options.clients), run);
				}
			}
			models.push({ model, description: DESCRIPTIONS[model], engineImagesPerSecond: engine, ...figures, agreement });
		}

		// The queue is of the slowest model measured: the one whose jobs stay queued longest.
		const queueModel = options.models[0];
		// More than the 20 of the goal are posted: jobs finish while the rest are still being posted
		// and while the probes run; the report says how many were unfinished at both ends.
		const queue = jobImages(inputs.images, options.queued, 16);
		const probeImage = inputs.images[0];
		const probeOptions = { probes: options.probes, gapMs: 250 };
		const latency: LatencyFigures[] = [];
		const conditions: Array<[string, readonly string[][], number | null]> = [
			['idle n8n (no queue)', [], null],
			[`${options.queued} batched jobs posted (${queueModel}), their clients not polling`, queue, null],
			[`${options.queued} batched jobs posted (${queueModel}), each polled every 100 ms`, queue, 100],
		];
		for (const [label, jobs, pollMs] of conditions) {
			log(`\n## POST → id: ${label}`);
			const latencies = await latencyRun(client, request, base, queueModel, jobs, probeImage, { ...probeOptions, pollMs });
			latency.push({ label, latencies });
			log(`  POST → id ms: ${latencies.jobIdMs.join(' ')}`);
			log(`  trivial webhook ms: ${latencies.trivialMs.join(' ')}`);
			log(`  queue: ${latencies.queuedAtStart} → ${latencies.queuedAtEnd}, ${latencies.pollsPerSecond.toFixed(1)} polls/s`);
		}

		const report: ApiBenchReport = {
			goalScenario: apiKey('batched', 100, options.clients),
			startedAt: new Date(started).toISOString(),
			durationSeconds: Math.round((Date.now() - started) / 1000),
			uptimeStart,
			uptimeEnd: uptime(),
			machine: machineInfo(REPO_ROOT),
			n8nVersion: layout.version,
			setup: {
				'n8n runs on Node': execFileSync(layout.nodeBin, ['--version'], { encoding: 'utf8' }).trim(),
				images: `${inputs.images.length} JPEG photos 1152 × 864 (~1 MP), sent as data URLs`,
				classes: CLASSES.length,
				'batched jobs per round': options.batchedJobs,
				'single jobs per round': options.singleJobs,
				'API clients': options.clients,
				rounds: options.rounds,
				'probes per condition': options.probes,
				'batched jobs posted before the POST → id probes': options.queued,
			},
			models,
			latency,
		};
		const markdown = renderMarkdown(report);
		log(`\n${markdown}`);
		const resultsDir = path.join(REPO_ROOT, 'bench', 'results');
		mkdirSync(resultsDir, { recursive: true });
		const name = options.quick ? 'api-bench-quick' : 'api-bench-latest';
		writeFileSync(path.join(resultsDir, `${name}.md`), `${markdown}\n`);
		writeFileSync(path.join(resultsDir, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
		log(`written: bench/results/${name}.md, .json`);
	} finally {
		if (main) await main.stop();
		if (options.keep) log(`kept ${userFolder}`);
		else runner.removeUserFolder(userFolder);
	}
}

main().catch((error: Error) => {
	process.stderr.write(`bench:api: ${error.stack ?? error.message}\n`);
	process.exit(1);
});
