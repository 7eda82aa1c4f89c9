import { availableParallelism } from 'node:os';
import { DEFAULT_RESAMPLING, RESAMPLINGS, type Resampling } from '../../engine';
import { WORKERS_ENV } from '../../engine/image/preprocessPool';
import { SIMD_ENV } from '../../engine/image/simdBicubicPasses';
import type { BenchOptions } from '../benchOptions';
import type { ImageSetName } from '../fixtures/benchImages';
import type { BenchModel } from '../fixtures/benchModels';
import type { ScenarioSpec } from '../scenarios/scenarioTypes';

export interface BenchFixtures {
	readonly vitB32: BenchModel;
	readonly vitL14: BenchModel | undefined;
	readonly images: Readonly<Record<ImageSetName, readonly string[]>>;
}

/** What a run measures, in terms the report groups and compares by. */
export interface RunMeta {
	readonly group: 'inference-ceiling' | 'preprocess-ceiling' | 'engine' | 'node' | 'peer' | 'memory' | 'model-agreement' | 'fidelity';
	readonly set?: ImageSetName;
	readonly mode?: Resampling | 'sharp';
	readonly batch?: number;
	readonly variant?: string;
	readonly model?: string;
	readonly layout?: 'hf' | 'immich';
	/** A setting that differs from the defaults (a lever measured against them), e.g. "threads 1". */
	readonly setting?: string;
}

export interface PlannedRun {
	readonly name: string;
	readonly meta: RunMeta;
	readonly spec: ScenarioSpec;
	/** Rounds this run takes part in (expensive one-off measurements run once). */
	readonly rounds: number;
}

export const BATCH_SIZES = [1, 8, 16, 32] as const;
export const DEFAULT_BATCH = 16;
/** DCT margins the fidelity scenario charts (the default mode's is DCT_MARGIN); 0 means no DCT shrink (the reference decode). */
export const FIDELITY_MARGINS = [2, 3, 4.25, 4.5, 6, 0] as const;

/**
 * Every scenario of a run. The default resampling (accurate) is the headline: quick runs it over
 * the 1 MP batch sweep and at the default batch on 12 MP and the camera-like sets, with the
 * bit-exact and fast modes beside it, the ceilings and transformers.js. Full adds every set,
 * model variants, the Immich layout, the levers, the node at 256 items, memory over 2,000
 * items and ViT-L/14.
 */
export function benchPlan(options: BenchOptions, fixtures: BenchFixtures): PlannedRun[] {
	const { quick, rounds } = options;
	const take = (set: ImageSetName, full: number, short: number): string[] => fixtures.images[set].slice(0, quick ? short : full);
	const sets: Readonly<Record<ImageSetName, readonly string[]>> = {
		'photo-1mp': take('photo-1mp', 64, 32),
		'photo-12mp': take('photo-12mp', 64, 16),
		mixed: take('mixed', 16, 16),
		agreement: take('agreement', 16, 16),
		'camera-12mp': take('camera-12mp', 16, 16),
		'camera-24mp': take('camera-24mp', 16, 8),
		'camera-mixed': take('camera-mixed', 21, 21),
	};
	/** Sets with images (the camera-like ones need ../shared/conformance). */
	const present = (names: readonly ImageSetName[]): ImageSetName[] => names.filter((name) => sets[name].length > 0);
	const passes = quick ? 1 : 2;
	const threads = 0;
	const cores = availableParallelism();
	const hf = fixtures.vitB32.hf;
	const runs: PlannedRun[] = [];
	const add = (name: string, meta: RunMeta, spec: ScenarioSpec, once = false): void => {
		runs.push({ name, meta, spec, rounds: once ? 1 : rounds });
	};
	const headlineSets = present(quick ? ['photo-1mp', 'photo-12mp', 'camera-12mp', 'camera-mixed'] : ['photo-1mp', 'photo-12mp', 'camera-12mp', 'camera-24mp', 'camera-mixed']);

	// Ceilings.
	const variants = quick ? ['fp32'] : ['fp32', 'quantized', 'fp16'];
	for (const variant of variants) {
		const visionModel = variant === 'fp32' ? hf.visionModel : variant === 'fp16' ? hf.visionModelFp16 : hf.visionModelQuantized;
		add(`ceiling inference ${variant}`, { group: 'inference-ceiling', variant }, { kind: 'inference-ceiling', visionModel, variant, batchSizes: [...BATCH_SIZES], images: 64, passes, threads });
	}
	const preprocessSets: ImageSetName[] = quick ? headlineSets : [...headlineSets, 'mixed'];
	for (const set of preprocessSets) {
		for (const mode of ['accurate', 'reference', 'fast', 'sharp'] as const) {
			add(`ceiling preprocess ${set} ${mode}`, { group: 'preprocess-ceiling', set, mode }, { kind: 'preprocess-ceiling', files: sets[set], mode, concurrency: cores, passes, threads });
		}
	}

	// This package: the engine.
	interface EngineExtra {
		readonly variant?: string;
		readonly layout?: 'hf' | 'immich';
		/** A non-default setting: its name, and the threads or environment it takes. */
		readonly setting?: { readonly name: string; readonly threads?: number; readonly env?: Record<string, string> };
	}
	const engine = (set: ImageSetName, mode: Resampling, batch: number, classCounts: number[], extra: EngineExtra = {}): void => {
		const variant = extra.variant ?? 'fp32';
		const layout = extra.layout ?? 'hf';
		const suffix = `${variant === 'fp32' ? '' : ` ${variant}`}${layout === 'hf' ? '' : ` ${layout}`}${extra.setting ? `, ${extra.setting.name}` : ''}`;
		add(`engine ${set} ${mode} b${batch}${suffix}`, { group: 'engine', set, mode, batch, variant, layout, model: 'vit-b-32', setting: extra.setting?.name }, {
			kind: 'engine',
			files: sets[set],
			modelFolder: layout === 'hf' ? hf.dir : fixtures.vitB32.immich.dir,
			variant,
			resampling: mode,
			batchSize: batch,
			classCounts,
			passes,
			threads: extra.setting?.threads ?? threads,
			env: extra.setting?.env,
		});
	};
	// The default mode across the batch sweep, the other two beside it at the default batch.
	for (const batch of BATCH_SIZES) engine('photo-1mp', DEFAULT_RESAMPLING, batch, [10, 1000]);
	for (const set of headlineSets) {
		for (const mode of RESAMPLINGS) if (set !== 'photo-1mp' || mode !== DEFAULT_RESAMPLING) engine(set, mode, DEFAULT_BATCH, quick || set !== 'photo-12mp' ? [10] : [10, 1000]);
	}
	if (!quick) engine('mixed', DEFAULT_RESAMPLING, DEFAULT_BATCH, [10]);
	engine('agreement', DEFAULT_RESAMPLING, DEFAULT_BATCH, [10]);
	if (!quick) {
		engine('photo-1mp', DEFAULT_RESAMPLING, DEFAULT_BATCH, [10], { variant: 'quantized' });
		engine('photo-1mp', DEFAULT_RESAMPLING, DEFAULT_BATCH, [10], { variant: 'fp16' });
		engine('photo-1mp', DEFAULT_RESAMPLING, DEFAULT_BATCH, [10], { layout: 'immich' });
		// The levers, against the defaults: preprocessing on the main thread, one inference thread,
		// the JavaScript resampler instead of WebAssembly SIMD, and the batch size on camera photos.
		const mainThread = { name: 'preprocessing on the main thread', env: { [WORKERS_ENV]: '0' } };
		const oneThread = { name: 'threads 1', threads: 1 };
		const noSimd = { name: 'JavaScript resampler', env: { [SIMD_ENV]: '0' } };
		for (const set of present(['photo-1mp', 'photo-12mp', 'camera-12mp'])) {
			for (const setting of [mainThread, oneThread, noSimd]) engine(set, DEFAULT_RESAMPLING, DEFAULT_BATCH, [10], { setting });
		}
		for (const set of present(['camera-12mp'])) for (const batch of BATCH_SIZES) if (batch !== DEFAULT_BATCH) engine(set, DEFAULT_RESAMPLING, batch, [10]);
	}

	// This package: the n8n node.
	const nodeModes: readonly Resampling[] = quick ? [DEFAULT_RESAMPLING] : RESAMPLINGS;
	for (const mode of nodeModes) {
		add(`node photo-1mp ${mode}`, { group: 'node', set: 'photo-1mp', mode, batch: DEFAULT_BATCH }, { kind: 'node', files: sets['photo-1mp'], modelFolder: hf.dir, items: quick ? 64 : 256, resampling: mode, batchSize: DEFAULT_BATCH, passes, threads });
	}

	// The peer.
	if (options.peer) {
		const peer = (set: ImageSetName, batch: number, classCount = 10, once = false, files = sets[set]): void => {
			add(`peer ${set} b${batch}${classCount === 10 ? '' : ` c${classCount}`}`, { group: 'peer', set, batch }, { kind: 'peer', files, localModelPath: fixtures.vitB32.root, modelId: 'clip-hf', batchSize: batch, classCount, passes, threads }, once);
		};
		for (const batch of quick ? [DEFAULT_BATCH] : BATCH_SIZES) peer('photo-1mp', batch);
		for (const set of headlineSets) if (set !== 'photo-1mp') peer(set, DEFAULT_BATCH);
		if (!quick) peer('mixed', DEFAULT_BATCH);
		peer('agreement', DEFAULT_BATCH);
		// transformers.js embeds every prompt again on each call: one call's worth of images is enough to show it.
		if (!quick) peer('photo-1mp', DEFAULT_BATCH, 1000, true, sets['photo-1mp'].slice(0, DEFAULT_BATCH));
		add('model agreement', { group: 'model-agreement', set: 'photo-1mp' }, { kind: 'model-agreement', files: sets['photo-1mp'], localModelPath: fixtures.vitB32.root, modelId: 'clip-hf', modelFolder: hf.dir, threads }, true);
	}

	// Fidelity of the default mode: pixels against the reference mode, and speed by DCT margin.
	for (const set of present(['photo-12mp', 'camera-12mp', 'camera-24mp', 'camera-mixed'])) {
		add(`fidelity ${set}`, { group: 'fidelity', set }, { kind: 'fidelity', files: sets[set].slice(0, quick ? 8 : 16), margins: [...FIDELITY_MARGINS], threads }, true);
	}

	// Memory.
	if (!quick) {
		add('memory vit-b-32', { group: 'memory', set: 'photo-1mp', model: 'vit-b-32' }, { kind: 'memory', files: sets['photo-1mp'], modelFolder: hf.dir, items: 2000, checkpoint: 200, threads }, true);
	}
	if (fixtures.vitL14) {
		add(`engine photo-1mp ${DEFAULT_RESAMPLING} b16 vit-l-14`, { group: 'engine', set: 'photo-1mp', mode: DEFAULT_RESAMPLING, batch: DEFAULT_BATCH, variant: 'fp32', layout: 'hf', model: 'vit-l-14' }, {
			kind: 'engine',
			files: sets['photo-1mp'].slice(0, 32),
			modelFolder: fixtures.vitL14.hf.dir,
			variant: 'fp32',
			resampling: DEFAULT_RESAMPLING,
			batchSize: DEFAULT_BATCH,
			classCounts: [10],
			passes: 1,
			threads,
		}, true);
	}

	const ordered = peersBesideEngine(runs);
	if (!options.only) return ordered;
	const only = options.only;
	// A selected run still needs the ceilings it is compared with.
	return ordered.filter((r) => only.test(r.name) || r.meta.group.endsWith('ceiling'));
}

/**
 * Each transformers.js run right after the engine run it is compared with (same images and
 * batch, default settings): the this/peer ratio of a round then compares runs a few seconds
 * apart, under about the same machine load.
 */
function peersBesideEngine(runs: readonly PlannedRun[]): PlannedRun[] {
	const peers = runs.filter((r) => r.meta.group === 'peer');
	const out: PlannedRun[] = [];
	for (const run of runs) {
		if (run.meta.group === 'peer') continue;
		out.push(run);
		const m = run.meta;
		if (m.group !== 'engine' || m.mode !== DEFAULT_RESAMPLING || m.setting || m.variant !== 'fp32' || m.layout !== 'hf' || m.model !== 'vit-b-32') continue;
		const i = peers.findIndex((p) => p.meta.set === m.set && p.meta.batch === m.batch);
		if (i >= 0) out.push(...peers.splice(i, 1));
	}
	return [...out, ...peers];
}
