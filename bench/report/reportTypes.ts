import type { RunMeta } from '../plan/benchPlan';
import type { Summary } from './stats';

/** One measured configuration, summarized over every round. */
export interface ReportRow extends RunMeta {
	readonly name: string;
	/** Class-list size (engine, node and peer rows). */
	readonly classes?: number;
	readonly imagesPerSecond: Summary;
	/** The ceiling this row is held against (engine and node rows), images/s. */
	readonly ceiling?: {
		readonly inference: number;
		readonly preprocess: number;
		/** Both stages sharing the machine: 1 / (1/inference + 1/preprocess). */
		readonly combined: number;
		/** Both stages on separate hardware: min(inference, preprocess). Not reachable when both use every core. */
		readonly overlapped: number;
	};
	/** The stages alone, measured in the same process right after each pass (images/s). */
	readonly paired?: { readonly inference: Summary; readonly preprocess: Summary; readonly combined: Summary };
	/**
	 * images/s over the combined ceiling: per pass against the paired ceiling when the scenario
	 * measured one, else per round against the separate ceiling processes.
	 */
	readonly vsCeiling?: Summary;
	readonly vsCeilingSource?: 'paired' | 'separate';
	/** images/s over transformers.js on the same images and batch size, one ratio per round. */
	readonly vsPeer?: Summary;
	readonly peakRssMb?: number;
	readonly loadMs?: number;
	readonly firstItemMs?: number;
	/** Largest share of the CPU other processes used during one of its rounds (a shared machine's noise). */
	readonly othersCpuShare?: number;
}

export interface AgreementEntry {
	readonly what: string;
	readonly maxAbsDeltaP: number;
	readonly top1Agreement?: number;
	readonly images: number;
}

/** One image set and resampling mode at the default batch, 10 classes: the figures a user who keeps the defaults meets. */
export interface HeadlineEntry {
	readonly set: string;
	readonly mode: string;
	readonly imagesPerSecond: Summary;
	readonly vsPeer?: Summary;
	/** Against both stages sharing the machine, 1 / (1/inference + 1/preprocess). */
	readonly vsCeiling?: Summary;
	/** Against the slower of the two stages alone, min(inference, preprocess): unreachable when both need every core. */
	readonly vsSlowerCeiling?: number;
	readonly peerImagesPerSecond?: number;
	readonly ceiling?: { readonly inference: number; readonly preprocess: number; readonly combined: number };
}

/** The default mode's pixels against the reference mode's, per DCT margin (normalized units). */
export interface FidelityEntry {
	readonly set: string;
	readonly config: string;
	readonly maeMedian: number;
	readonly maeMax: number;
	/** One thread's decode and resize time per image. */
	readonly msPerImage: number;
}

export interface BenchReport {
	readonly mode: 'quick' | 'full';
	readonly startedAt: string;
	readonly durationSeconds: number;
	readonly rounds: number;
	readonly machine: Record<string, string | number>;
	readonly rows: ReportRow[];
	readonly headline: HeadlineEntry[];
	readonly fidelity: FidelityEntry[];
	/** 1000 classes over 10 classes, embeddings cached: time overhead per run (images/s ratio - 1). */
	readonly classListOverhead: Array<{ name: string; overhead: Summary; textInferencesWhileMeasuring: number }>;
	readonly agreement: AgreementEntry[];
	readonly memory: Record<string, number>;
}
