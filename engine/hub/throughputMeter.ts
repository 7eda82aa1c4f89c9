interface Sample {
	at: number;
	bytes: number;
}

/** Samples closer together than this are merged: a fast transfer delivers thousands of chunks a second. */
const SAMPLE_SPACING_MS = 100;

/**
 * Bytes received over a sliding window of time, for one transfer attempt. The rate over the last
 * N seconds (not the average since the start) is what tells a transfer that has begun to crawl
 * from one that was merely slow to start, and what an ETA should be based on.
 */
export class ThroughputMeter {
	private readonly now: () => number;
	private readonly historyMs: number;
	private readonly samples: Sample[];
	readonly startedAt: number;

	/** `historyMs`: the longest window that will be asked about. */
	constructor(options: { historyMs: number; now?: () => number; startBytes?: number }) {
		this.now = options.now ?? Date.now;
		this.historyMs = options.historyMs;
		this.startedAt = this.now();
		this.samples = [{ at: this.startedAt, bytes: options.startBytes ?? 0 }];
	}

	/** `totalBytes`: the running count, not an increment. */
	record(totalBytes: number): void {
		const at = this.now();
		const last = this.samples[this.samples.length - 1];
		if (at - last.at < SAMPLE_SPACING_MS && this.samples.length > 1) {
			last.bytes = totalBytes;
		} else {
			this.samples.push({ at, bytes: totalBytes });
		}
		// Keep one sample at or before the oldest window start: it is the baseline of that window.
		while (this.samples.length > 2 && this.samples[1].at <= at - this.historyMs) this.samples.shift();
	}

	get totalBytes(): number {
		return this.samples[this.samples.length - 1].bytes;
	}

	elapsedMs(): number {
		return this.now() - this.startedAt;
	}

	/**
	 * Bytes per second over (about) the last `windowMs`: measured from the newest sample at or
	 * before the window's start, so a window reaching back before the attempt began covers
	 * the attempt only. 0 before any time has passed.
	 */
	rate(windowMs: number): number {
		const now = this.now();
		let baseline = this.samples[0];
		for (const sample of this.samples) {
			if (sample.at > now - windowMs) break;
			baseline = sample;
		}
		const seconds = (now - baseline.at) / 1000;
		return seconds > 0 ? (this.totalBytes - baseline.bytes) / seconds : 0;
	}
}
