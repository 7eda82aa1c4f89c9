import type { PlannedRun } from '../plan/benchPlan';
import type { ScenarioResult } from '../scenarios/scenarioTypes';
import type { AgreementEntry, BenchReport, FidelityEntry, HeadlineEntry, ReportRow } from './reportTypes';
import { maxAbsDelta, median, summarize, top1Agreement } from './stats';

/** One scenario process's result, with the run and round it belonged to. */
export interface RunRecord {
	readonly run: PlannedRun;
	readonly round: number;
	readonly result: ScenarioResult;
	/** Share of the CPU other processes used while it ran. */
	readonly othersShare: number;
}

type Rounds = Map<number, number>;

/** Per measurement key: the median of each round's passes. */
function perRound(records: readonly RunRecord[]): Map<string, Rounds> {
	const out = new Map<string, Rounds>();
	for (const { run, round, result } of records) {
		for (const m of result.measurements) {
			const key = `${run.name}|${m.key}`;
			if (!out.has(key)) out.set(key, new Map());
			out.get(key)?.set(round, median(m.imagesPerSecond));
		}
	}
	return out;
}

function at(rounds: Rounds | undefined, round: number): number | undefined {
	if (!rounds) return undefined;
	return rounds.get(round) ?? median([...rounds.values()]);
}

function combine(inference: number, preprocess: number): number {
	return 1 / (1 / inference + 1 / preprocess);
}

export function buildReport(records: readonly RunRecord[], header: Omit<BenchReport, 'rows' | 'headline' | 'fidelity' | 'classListOverhead' | 'agreement' | 'memory'>): BenchReport {
	const rounds = perRound(records);
	const runs = [...new Map(records.map((r) => [r.run.name, r.run])).values()];
	const resultsOf = (name: string): ScenarioResult[] => records.filter((r) => r.run.name === name).map((r) => r.result);
	const inferenceKey = (variant: string, batch: number): string => `ceiling inference ${variant}|inference ${variant} b${batch}`;
	const preprocessKey = (set: string, mode: string): string => `ceiling preprocess ${set} ${mode}|preprocess ${mode}`;
	const peerRun = (set: string | undefined, batch: number | undefined, classes: number | undefined): PlannedRun | undefined => {
		const peers = runs.filter((r) => r.meta.group === 'peer' && r.meta.set === set && (r.spec as { classCount: number }).classCount === classes);
		return peers.find((r) => r.meta.batch === batch) ?? peers.find((r) => r.meta.batch === 16);
	};

	const rows: ReportRow[] = [];
	for (const run of runs) {
		if (run.meta.group === 'fidelity') continue;
		const results = resultsOf(run.name);
		const keys = [...new Set(results.flatMap((r) => r.measurements.map((m) => m.key)))];
		for (const key of keys) {
			const series = rounds.get(`${run.name}|${key}`) as Rounds;
			const classes = key.startsWith('c') ? Number(key.slice(1)) : run.meta.group === 'node' ? 10 : undefined;
			// An inference ceiling measures every batch size in one run: one row each.
			const ceilingBatch = run.meta.group === 'inference-ceiling' ? Number(/b(\d+)$/.exec(key)?.[1]) : undefined;
			let row: ReportRow = {
				...run.meta,
				batch: ceilingBatch ?? run.meta.batch,
				name: ceilingBatch !== undefined ? `${run.name} b${ceilingBatch}` : classes !== undefined && run.meta.group !== 'node' ? `${run.name} c${classes}` : run.name,
				classes,
				imagesPerSecond: summarize(results.flatMap((r) => r.measurements.find((m) => m.key === key)?.imagesPerSecond ?? [])),
				peakRssMb: Math.max(...results.map((r) => r.peakRssMb)),
				loadMs: results[0].loadMs === undefined ? undefined : median(results.map((r) => r.loadMs as number)),
				firstItemMs: results[0].firstItemMs === undefined ? undefined : median(results.map((r) => r.firstItemMs as number)),
				othersCpuShare: Math.max(...records.filter((r) => r.run.name === run.name).map((r) => r.othersShare)),
			};
			if ((run.meta.group === 'engine' || run.meta.group === 'node') && run.meta.model !== 'vit-l-14') {
				// Static batch-1 graphs (Immich) run image by image, whatever the batch size asked for.
				const inferenceBatch = run.meta.layout === 'immich' ? 1 : (run.meta.batch as number);
				const inference = rounds.get(inferenceKey(run.meta.variant ?? 'fp32', inferenceBatch)) ?? rounds.get(inferenceKey('fp32', inferenceBatch));
				const preprocess = rounds.get(preprocessKey(run.meta.set as string, run.meta.mode as string));
				if (inference && preprocess) {
					const i = median([...inference.values()]);
					const p = median([...preprocess.values()]);
					const ratios = [...series].map(([round, value]) => value / combine(at(inference, round) as number, at(preprocess, round) as number));
					row = { ...row, ceiling: { inference: i, preprocess: p, combined: combine(i, p), overlapped: Math.min(i, p) }, vsCeiling: summarize(ratios), vsCeilingSource: 'separate' };
				}
				const pairedRuns = results.filter((r) => r.pairedCeiling);
				if (pairedRuns.length > 0) {
					const passes = pairedRuns.flatMap((r) => {
						const e2e = r.measurements.find((m) => m.key === key)?.imagesPerSecond ?? [];
						const { inference: i, preprocess: p } = r.pairedCeiling as NonNullable<ScenarioResult['pairedCeiling']>;
						return e2e.map((value, pass) => ({ value, inference: i[pass], preprocess: p[pass], combined: combine(i[pass], p[pass]) }));
					});
					row = {
						...row,
						paired: { inference: summarize(passes.map((x) => x.inference)), preprocess: summarize(passes.map((x) => x.preprocess)), combined: summarize(passes.map((x) => x.combined)) },
						vsCeiling: summarize(passes.map((x) => x.value / x.combined)),
						vsCeilingSource: 'paired',
					};
				}
				const peer = peerRun(run.meta.set, run.meta.batch, classes);
				const peerSeries = peer && rounds.get(`${peer.name}|c${classes}`);
				if (peerSeries) row = { ...row, vsPeer: summarize([...series].map(([round, value]) => value / (at(peerSeries, round) as number))) };
			}
			rows.push(row);
		}
	}

	const classListOverhead = runs
		.filter((run) => run.meta.group === 'engine' && rounds.has(`${run.name}|c1000`) && rounds.has(`${run.name}|c10`))
		.map((run) => {
			const c10 = rounds.get(`${run.name}|c10`) as Rounds;
			const c1000 = rounds.get(`${run.name}|c1000`) as Rounds;
			return {
				name: run.name,
				overhead: summarize([...c10].map(([round, value]) => value / (at(c1000, round) as number) - 1)),
				textInferencesWhileMeasuring: Math.max(...resultsOf(run.name).map((r) => r.details?.textInferencesWhileMeasuring ?? 0)),
			};
		});

	return { ...header, rows, headline: headline(rows), fidelity: fidelity(runs, resultsOf), classListOverhead, agreement: agreement(runs, resultsOf), memory: memory(runs, resultsOf) };
}

const HEADLINE_SETS = ['photo-1mp', 'photo-12mp', 'camera-12mp', 'camera-24mp', 'camera-mixed'];
const HEADLINE_MODES = ['accurate', 'reference', 'fast'];

function headline(rows: readonly ReportRow[]): HeadlineEntry[] {
	const out: HeadlineEntry[] = [];
	for (const set of HEADLINE_SETS) {
		const peer = rows.find((r) => r.group === 'peer' && r.set === set && r.batch === 16 && r.classes === 10);
		for (const mode of HEADLINE_MODES) {
			const row = rows.find((r) => r.group === 'engine' && r.set === set && r.mode === mode && r.batch === 16 && r.classes === 10 && r.variant === 'fp32' && r.layout === 'hf' && r.model === 'vit-b-32' && !r.setting);
			if (!row) continue;
			const ceiling = row.ceiling ? { inference: row.ceiling.inference, preprocess: row.ceiling.preprocess, combined: row.ceiling.combined } : undefined;
			out.push({
				set,
				mode,
				imagesPerSecond: row.imagesPerSecond,
				vsPeer: row.vsPeer,
				vsCeiling: row.vsCeiling,
				vsSlowerCeiling: ceiling ? row.imagesPerSecond.median / Math.min(ceiling.inference, ceiling.preprocess) : undefined,
				peerImagesPerSecond: peer?.imagesPerSecond.median,
				ceiling,
			});
		}
	}
	return out;
}

function fidelity(runs: readonly PlannedRun[], resultsOf: (name: string) => ScenarioResult[]): FidelityEntry[] {
	const out: FidelityEntry[] = [];
	for (const run of runs.filter((r) => r.meta.group === 'fidelity')) {
		const result = resultsOf(run.name)[0];
		if (!result?.details) continue;
		for (const { key } of result.measurements) {
			out.push({
				set: run.meta.set as string,
				config: key,
				maeMedian: result.details[`${key}: pixel MAE median`],
				maeMax: result.details[`${key}: pixel MAE max`],
				msPerImage: result.details[`${key}: ms per image median`],
			});
		}
	}
	return out;
}

function agreement(runs: readonly PlannedRun[], resultsOf: (name: string) => ScenarioResult[]): AgreementEntry[] {
	const probabilities = (name: string | undefined): number[][] | undefined => (name ? resultsOf(name)[0]?.probabilities : undefined);
	const find = (predicate: (run: PlannedRun) => boolean): string | undefined => runs.find(predicate)?.name;
	const entries: AgreementEntry[] = [];
	const push = (what: string, a: number[][] | undefined, b: number[][] | undefined): void => {
		const delta = maxAbsDelta(a, b);
		if (delta === undefined || !a || !b) return;
		entries.push({ what, maxAbsDeltaP: delta, top1Agreement: top1Agreement(a, b), images: Math.min(a.length, b.length) });
	};
	const engine = (set: string, mode: string, variant = 'fp32', layout = 'hf'): string | undefined =>
		find((r) => r.meta.group === 'engine' && r.meta.set === set && r.meta.mode === mode && r.meta.batch === 16 && r.meta.variant === variant && r.meta.layout === layout && r.meta.model === 'vit-b-32' && !r.meta.setting);
	const peer = (set: string): string | undefined => find((r) => r.meta.group === 'peer' && r.meta.set === set && r.meta.batch === 16 && (r.spec as { classCount: number }).classCount === 10);

	const sets = ['agreement', 'photo-1mp', 'photo-12mp', 'mixed', 'camera-12mp', 'camera-24mp', 'camera-mixed'];
	for (const set of sets) {
		for (const mode of ['accurate', 'reference', 'fast']) push(`this (${mode}) vs transformers.js, ${set}`, probabilities(engine(set, mode)), probabilities(peer(set)));
	}
	for (const set of sets) {
		for (const mode of ['accurate', 'fast']) push(`${mode} vs reference, ${set}`, probabilities(engine(set, mode)), probabilities(engine(set, 'reference')));
	}
	for (const variant of ['quantized', 'fp16']) push(`${variant} vs fp32, photo-1mp accurate`, probabilities(engine('photo-1mp', 'accurate', variant)), probabilities(engine('photo-1mp', 'accurate')));
	push('Immich layout vs Hugging Face layout, photo-1mp accurate', probabilities(engine('photo-1mp', 'accurate', 'fp32', 'immich')), probabilities(engine('photo-1mp', 'accurate')));
	push('node execute() vs engine, photo-1mp accurate', probabilities(find((r) => r.meta.group === 'node' && r.meta.mode === 'accurate')), probabilities(engine('photo-1mp', 'accurate')));
	const model = find((r) => r.meta.group === 'model-agreement');
	const modelResult = model ? resultsOf(model)[0] : undefined;
	if (modelResult?.details) {
		entries.push({ what: 'this vs transformers.js CLIPModel on the same model input (photo-1mp)', maxAbsDeltaP: modelResult.details.maxAbsDeltaP, images: modelResult.probabilities?.length ?? 0 });
	}
	return entries;
}

function memory(runs: readonly PlannedRun[], resultsOf: (name: string) => ScenarioResult[]): Record<string, number> {
	const out: Record<string, number> = {};
	const growth = runs.find((r) => r.meta.group === 'memory');
	const details = growth ? resultsOf(growth.name)[0]?.details : undefined;
	if (growth && details) {
		out.rssAfter200ItemsMb = details.rssAtCheckpointMb;
		out.rssAfter2000ItemsMb = details.rssAtEndMb;
		out.growth = details.growth;
		out.peakRssMemoryRunMb = resultsOf(growth.name)[0].peakRssMb;
	}
	for (const model of ['vit-b-32', 'vit-l-14']) {
		for (const set of ['photo-1mp', 'photo-12mp', 'camera-24mp']) {
			for (const mode of ['accurate', 'reference']) {
				const run = runs.find((r) => r.meta.group === 'engine' && r.meta.model === model && r.meta.set === set && r.meta.mode === mode && r.meta.batch === 16 && r.meta.variant === 'fp32' && r.meta.layout === 'hf' && !r.meta.setting);
				if (run) out[`peakRssMb ${model} b16 ${set} ${mode}`] = Math.max(...resultsOf(run.name).map((r) => r.peakRssMb));
			}
		}
	}
	return out;
}
