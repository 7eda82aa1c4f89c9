import { formatRate } from './byteFormat';
import { describeFloor, type DownloadLimits } from './downloadLimits';
import { formatDuration } from './durationFormat';
import { HubError } from './hubErrors';
import type { ThroughputMeter } from './throughputMeter';

/** Why an attempt was abandoned: nothing arrived at all, or too little. */
export type SlowTransferKind = 'stalled' | 'crawling';

/** A transfer abandoned by its watchdog; retryable, and it starts the file's give-up clock. */
export class SlowTransferError extends HubError {
	readonly kind: SlowTransferKind;

	constructor(kind: SlowTransferKind, message: string) {
		super('network', message, { retryable: true });
		this.name = 'SlowTransferError';
		this.kind = kind;
	}
}

export interface TransferWatchdogOptions {
	limits: DownloadLimits;
	meter: ThroughputMeter;
	/** What is being fetched, for the messages ("onnx/vision_model.onnx"). */
	what: string;
	/** The caller's own cancel signal (e.g. n8n's execution cancel signal). */
	signal?: AbortSignal;
	/** Past this instant (the file's give-up time) a crawling attempt is stopped at once. */
	deadline?: number;
	/** Said once per attempt, when it starts to crawl: before the attempt is abandoned. */
	warn?: (message: string) => void;
	/** Called on every check, so a progress display can show a stall while no byte arrives. */
	onCheck?: (crawling: boolean) => void;
	now?: () => number;
	checkIntervalMs?: number;
}

/**
 * Watches one transfer attempt, from the request to the last byte (a connection or a Hub that
 * never answers is a stall too), and aborts it when it stays below the throughput floor. Timers,
 * not socket events, decide: a socket idle timeout is reset by every byte, so one byte every
 * few seconds (a slow-loris) would hold the transfer for ever.
 */
export class TransferWatchdog {
	/** Aborts on the caller's cancel or when the transfer is abandoned: give it to the request. */
	readonly signal: AbortSignal;
	private readonly options: TransferWatchdogOptions;
	private readonly controller = new AbortController();
	private readonly timer: NodeJS.Timeout;
	private readonly now: () => number;
	private verdict: SlowTransferError | undefined;
	private warned = false;

	constructor(options: TransferWatchdogOptions) {
		this.options = options;
		this.now = options.now ?? Date.now;
		this.signal = options.signal === undefined ? this.controller.signal : AbortSignal.any([options.signal, this.controller.signal]);
		const interval = options.checkIntervalMs ?? Math.min(1000, Math.max(25, options.limits.windowMs / 10));
		this.timer = setInterval(() => this.check(), interval);
		this.timer.unref();
	}

	/** Set once the watchdog has abandoned the attempt (as opposed to a cancel or a network error). */
	get abandoned(): SlowTransferError | undefined {
		return this.verdict;
	}

	/** Crawling: slower than the floor over the last third of the window, i.e. heading for abandonment. */
	get crawling(): boolean {
		const { meter, limits } = this.options;
		const recent = limits.windowMs / 3;
		return meter.elapsedMs() >= recent && isBelowFloor(meter.rate(recent), limits);
	}

	stop(): void {
		clearInterval(this.timer);
	}

	check(): void {
		if (this.verdict !== undefined || this.signal.aborted) return;
		const { meter, limits } = this.options;
		const crawling = this.crawling;
		this.options.onCheck?.(crawling);
		const rate = meter.rate(limits.windowMs);
		if (meter.elapsedMs() >= limits.windowMs && isBelowFloor(rate, limits)) {
			this.abandon(rate, limits.windowMs);
			return;
		}
		if (!crawling) return;
		if (this.options.deadline !== undefined && this.now() >= this.options.deadline) {
			this.abandon(meter.rate(limits.windowMs / 3), limits.windowMs / 3, ` when the give-up time (${formatDuration(limits.giveUpMs)}) ran out`);
			return;
		}
		if (!this.warned) {
			this.warned = true;
			const recent = limits.windowMs / 3;
			const rateNow = meter.rate(recent);
			const state = rateNow === 0 ? `no data for ${formatDuration(recent)}` : `crawling at ${formatRate(rateNow)}`;
			this.options.warn?.(
				`${this.options.what}: ${state}, below the floor of ${describeFloor(limits)}; the transfer will be abandoned and resumed if it stays that slow.`,
			);
		}
	}

	private abandon(rate: number, overMs: number, when = ''): void {
		const { limits } = this.options;
		const kind: SlowTransferKind = rate === 0 ? 'stalled' : 'crawling';
		const what =
			kind === 'stalled'
				? `no data for ${formatDuration(overMs)}`
				: `${formatRate(rate)} over the last ${formatDuration(overMs)}, below the floor of ${formatRate(limits.minBytesPerSecond)}`;
		this.verdict = new SlowTransferError(kind, `${what}${when}`);
		this.stop();
		this.controller.abort(this.verdict);
	}
}

function isBelowFloor(rate: number, limits: DownloadLimits): boolean {
	return rate === 0 || rate < limits.minBytesPerSecond;
}
