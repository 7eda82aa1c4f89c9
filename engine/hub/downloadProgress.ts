import { formatBytes, formatRate } from './byteFormat';

export interface DownloadProgress {
	/** Path of the file inside the repo. */
	file: string;
	/** Bytes on disk so far, including what an earlier, interrupted attempt left. */
	receivedBytes: number;
	/** Undefined when neither the Hub nor the manifest told the size. */
	totalBytes: number | undefined;
	/** Average over this attempt only, so a resumed download does not report an absurd rate. */
	bytesPerSecond: number;
}

export interface ProgressReporterOptions {
	file: string;
	totalBytes: number | undefined;
	startBytes: number;
	onProgress?: (progress: DownloadProgress) => void;
	log?: (message: string) => void;
	now?: () => number;
	/** Human-readable lines are rate-limited so a long download does not flood the n8n log. */
	logIntervalMs?: number;
	/** Callbacks (e.g. a TTY progress bar) may be more frequent, but not once per TCP chunk. */
	callbackIntervalMs?: number;
}

export class ProgressReporter {
	private readonly options: ProgressReporterOptions;
	private readonly now: () => number;
	private readonly startedAt: number;
	private lastLogAt: number;
	private lastCallbackAt = Number.NEGATIVE_INFINITY;
	private received: number;

	constructor(options: ProgressReporterOptions) {
		this.options = options;
		this.now = options.now ?? Date.now;
		this.startedAt = this.now();
		this.lastLogAt = this.startedAt;
		this.received = options.startBytes;
	}

	update(receivedBytes: number): void {
		this.received = receivedBytes;
		const now = this.now();
		if (now - this.lastCallbackAt >= (this.options.callbackIntervalMs ?? 200)) {
			this.lastCallbackAt = now;
			this.options.onProgress?.(this.snapshot(now));
		}
		if (this.options.log && now - this.lastLogAt >= (this.options.logIntervalMs ?? 5000)) {
			this.lastLogAt = now;
			this.options.log(describeProgress(this.snapshot(now)));
		}
	}

	/** Always reports the final state, whatever the throttling let through before. */
	finish(): DownloadProgress {
		const progress = this.snapshot(this.now());
		this.options.onProgress?.(progress);
		return progress;
	}

	private snapshot(now: number): DownloadProgress {
		const seconds = (now - this.startedAt) / 1000;
		const transferred = this.received - this.options.startBytes;
		return {
			file: this.options.file,
			receivedBytes: this.received,
			totalBytes: this.options.totalBytes,
			bytesPerSecond: seconds > 0 ? transferred / seconds : 0,
		};
	}
}

export function describeProgress(progress: DownloadProgress): string {
	const rate = formatRate(progress.bytesPerSecond);
	if (progress.totalBytes === undefined || progress.totalBytes === 0) {
		return `${progress.file}: ${formatBytes(progress.receivedBytes)} at ${rate}`;
	}
	const percent = Math.floor((progress.receivedBytes / progress.totalBytes) * 100);
	return `${progress.file}: ${percent}% (${formatBytes(progress.receivedBytes)} of ${formatBytes(progress.totalBytes)}) at ${rate}`;
}
