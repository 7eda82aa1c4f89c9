import type { Resampling } from '../../engine';

/** What every measured run shares: the images and how many measured passes follow the warm-up. */
interface Common {
	readonly files: readonly string[];
	/** Measured passes over `files` after the warm-up pass. */
	readonly passes: number;
	/** ONNX Runtime intra-op threads; 0 lets it choose (one per core). */
	readonly threads: number;
	/** Environment for the scenario's process, e.g. the engine's preprocessing worker count. */
	readonly env?: Readonly<Record<string, string>>;
}

/** Raw onnxruntime-node on already-preprocessed tensors: the inference ceiling. */
export interface InferenceCeilingSpec extends Omit<Common, 'files'> {
	readonly kind: 'inference-ceiling';
	readonly visionModel: string;
	/** Names the measurements (e.g. fp32, quantized). */
	readonly variant: string;
	readonly batchSizes: readonly number[];
	/** Images per measured pass (random pixels, already normalized). */
	readonly images: number;
	/** Session options to try over the engine's own (graph optimisation, arena, spinning, ...). */
	readonly sessionOverrides?: Readonly<Record<string, unknown>>;
}

/** Decode + resize alone, every core busy: the preprocessing ceiling. */
export interface PreprocessCeilingSpec extends Common {
	readonly kind: 'preprocess-ceiling';
	/** The engine's accurate, reference or fast preprocessing, or sharp alone with its defaults (shrink-on-load). */
	readonly mode: Resampling | 'sharp';
	/** Images in flight at once (worker threads, each preprocessing one image at a time). */
	readonly concurrency: number;
}

/** This package's engine, files to probabilities. */
export interface EngineSpec extends Common {
	readonly kind: 'engine';
	readonly modelFolder: string;
	readonly variant: string;
	readonly resampling: Resampling;
	readonly batchSize: number;
	/** Class-list sizes, each measured in every pass (interleaved) once its embeddings are cached. */
	readonly classCounts: readonly number[];
}

/** The n8n node's execute() on `items` items cycling over `files`. */
export interface NodeSpec extends Common {
	readonly kind: 'node';
	readonly modelFolder: string;
	readonly items: number;
	readonly resampling: Resampling;
	readonly batchSize: number;
}

/** transformers.js pipeline('zero-shot-image-classification') on the same model folder. */
export interface PeerSpec extends Common {
	readonly kind: 'peer';
	/** The folder holding the Hugging Face layout (transformers.js' localModelPath) and its name in it. */
	readonly localModelPath: string;
	readonly modelId: string;
	readonly batchSize: number;
	readonly classCount: number;
}

/** RSS through one long node execution: after `checkpoint` items and after all `items`. */
export interface MemorySpec extends Omit<Common, 'passes'> {
	readonly kind: 'memory';
	readonly modelFolder: string;
	readonly items: number;
	readonly checkpoint: number;
}

/** The same preprocessed pixels through this engine's scoring and transformers.js' CLIPModel. */
export interface ModelAgreementSpec extends Omit<Common, 'passes'> {
	readonly kind: 'model-agreement';
	readonly localModelPath: string;
	readonly modelId: string;
	readonly modelFolder: string;
}

/**
 * The default mode's pixels against the reference mode's, image by image, at several DCT
 * margins (0: no DCT shrink), with the time one thread takes per image at each.
 */
export interface FidelitySpec extends Omit<Common, 'passes'> {
	readonly kind: 'fidelity';
	readonly margins: readonly number[];
}

export type ScenarioSpec = InferenceCeilingSpec | PreprocessCeilingSpec | EngineSpec | NodeSpec | PeerSpec | MemorySpec | ModelAgreementSpec | FidelitySpec;

/** One measured configuration inside a scenario run (a scenario may measure several, interleaved). */
export interface Measurement {
	/** Identifies the configuration across rounds, e.g. "engine photo-1mp accurate b16 c10". */
	readonly key: string;
	/** Images per second, one per measured pass. */
	readonly imagesPerSecond: number[];
}

export interface ScenarioResult {
	readonly measurements: Measurement[];
	/** Peak resident set size of the whole process (ru_maxrss). */
	readonly peakRssMb: number;
	/** CPU time of the whole process (every thread), to tell its load from other processes'. */
	readonly cpuMs?: number;
	/** Model load in a fresh process (file cache warm). */
	readonly loadMs?: number;
	/** First classification after the load: one image, its class list not yet embedded. */
	readonly firstItemMs?: number;
	/** Probabilities of the first images for the 10-class list, to compare pipelines and variants. */
	readonly probabilities?: number[][];
	/**
	 * The stages alone, measured after each pass in the same process (images/s, one per pass):
	 * the ceiling each pass is held against, under the same machine load.
	 */
	readonly pairedCeiling?: { readonly inference: number[]; readonly preprocess: number[] };
	/** Anything else worth reporting (text inference counts, RSS checkpoints, ...). */
	readonly details?: Record<string, number>;
}
