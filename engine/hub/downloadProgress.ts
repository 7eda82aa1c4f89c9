import { formatBytes, formatRate } from './byteFormat';
import { formatDuration } from './durationFormat';
import { ThroughputMeter } from './throughputMeter';

export interface DownloadProgress {
	/** Path of the file inside the repo. */
	file: string;
	/** Bytes on disk so far, including what an earlier, interrupted attempt left. */
	receivedBytes: number;
	/** Undefined when neither the Hub nor the manifest told the size. */
	totalBytes: number | undefined;
	/**
	 * Over the last 10 s of this attempt: recent enough to show a transfer that has begun to
	 * crawl, and never counting the bytes a resumed download already had.
	 */
	bytesPerSecond: number;
	/** Seconds left at that rate; undefined when the size is unknown or nothing is arriving. */
	etaSeconds?: number;
	/** Below the throughput floor: the transfer will be abandoned and resumed if it stays so. */
	crawling?: boolean;
}

/** How far back the displayed rate (and so the ETA) looks. */
export const PROGRESS_RATE_WINDOW_MS = 10_000;

export interface ProgressReporterOptions {
	file: string;
	totalBytes: number | undefined;
	startBytes: number;
	onProgress?: (progress: DownloadProgress) => void;
	log?: (message: string) => void;
	/** Counts this attempt's bytes (not `startBytes`); shared with the attempt's watchdog. */
	meter?: ThroughputMeter;
	now?: () => number;
	/** Human-readable lines are rate-limited so a long download does not flood the n8n log. */
	logIntervalMs?: number;
	/** Callbacks (e.g. a TTY progress bar) may be more frequent, but not once per TCP chunk. */
	callbackIntervalMs?: number;
}

export class ProgressReporter {
	private readonly options: ProgressReporterOptions;
	private readonly now: () => number;
	private readonly meter: ThroughputMeter;
	private lastLogAt: number;
	private lastCallbackAt = Number.NEGATIVE_INFINITY;
	private received: number;
	private crawling = false;

	constructor(options: ProgressReporterOptions) {
		this.options = options;
		this.now = options.now ?? Date.now;
		this.meter = options.meter ?? new ThroughputMeter({ historyMs: PROGRESS_RATE_WINDOW_MS, now: this.now });
		this.lastLogAt = this.now();
		this.received = options.startBytes;
	}

	update(receivedBytes: number): void {
		this.received = receivedBytes;
		this.meter.record(receivedBytes - this.options.startBytes);
		this.report();
	}

	/**
	 * Called by the watchdog's timer: while nothing arrives there is no `update`, and the
	 * display would otherwise freeze on the last, better, rate.
	 */
	refresh(crawling: boolean): void {
		this.crawling = crawling;
		this.report();
	}

	/** Always reports the final state, whatever the throttling let through before. */
	finish(): DownloadProgress {
		this.crawling = false;
		const progress = this.snapshot();
		this.options.onProgress?.(progress);
		return progress;
	}

	private report(): void {
		const now = this.now();
		if (now - this.lastCallbackAt >= (this.options.callbackIntervalMs ?? 200)) {
			this.lastCallbackAt = now;
			this.options.onProgress?.(this.snapshot());
		}
		if (this.options.log && now - this.lastLogAt >= (this.options.logIntervalMs ?? 5000)) {
			this.lastLogAt = now;
			this.options.log(describeProgress(this.snapshot()));
		}
	}

	private snapshot(): DownloadProgress {
		const bytesPerSecond = this.meter.rate(PROGRESS_RATE_WINDOW_MS);
		const total = this.options.totalBytes;
		const left = total !== undefined && total >= this.received ? total - this.received : undefined;
		return {
			file: this.options.file,
			receivedBytes: this.received,
			totalBytes: total,
			bytesPerSecond,
			etaSeconds: left === undefined ? undefined : left === 0 ? 0 : bytesPerSecond > 0 ? left / bytesPerSecond : undefined,
			crawling: this.crawling,
		};
	}
}

/** `onnx/vision_model.onnx: 42% (148 MB of 352 MB) at 12.3 MB/s, 17 s left`. */
export function describeProgress(progress: DownloadProgress): string {
	const rate = `${formatRate(progress.bytesPerSecond)}${progress.crawling ? ' (too slow)' : ''}`;
	if (progress.totalBytes === undefined || progress.totalBytes === 0) {
		return `${progress.file}: ${formatBytes(progress.receivedBytes)} at ${rate}`;
	}
	const percent = Math.floor((progress.receivedBytes / progress.totalBytes) * 100);
	const eta = progress.etaSeconds !== undefined && progress.etaSeconds > 0 ? `, ${formatDuration(progress.etaSeconds * 1000)} left` : '';
	return `${progress.file}: ${percent}% (${formatBytes(progress.receivedBytes)} of ${formatBytes(progress.totalBytes)}) at ${rate}${eta}`;
}
