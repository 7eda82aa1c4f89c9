import type { DownloadLimits } from '../../engine/hub/downloadLimits';
import { ThroughputMeter } from '../../engine/hub/throughputMeter';
import { SlowTransferError, TransferWatchdog } from '../../engine/hub/transferWatchdog';
import { fakeClock } from './fakeClock';

const LIMITS: DownloadLimits = { minBytesPerSecond: 16_000, windowMs: 30_000, giveUpMs: 120_000 };

/** Checks are driven by hand through check(): the interval is set far beyond the test. */
function watch(clock: ReturnType<typeof fakeClock>, extra: { deadline?: number; warn?: (m: string) => void; signal?: AbortSignal } = {}) {
	const meter = new ThroughputMeter({ historyMs: LIMITS.windowMs, now: clock.now });
	const watchdog = new TransferWatchdog({ limits: LIMITS, meter, what: 'onnx/vision_model.onnx', now: clock.now, checkIntervalMs: 3_600_000, ...extra });
	return { meter, watchdog };
}

/** `bytesPerSecond` for `seconds`, one record a second, checking after each. */
function transfer(clock: ReturnType<typeof fakeClock>, meter: ThroughputMeter, watchdog: TransferWatchdog, bytesPerSecond: number, seconds: number): void {
	for (let i = 0; i < seconds; i++) {
		clock.advance(1000);
		meter.record(meter.totalBytes + bytesPerSecond);
		watchdog.check();
	}
}

describe('ThroughputMeter', () => {
	it('measures the rate over the last window, not since the start', () => {
		const clock = fakeClock();
		const meter = new ThroughputMeter({ historyMs: 30_000, now: clock.now });
		for (let i = 1; i <= 20; i++) {
			clock.advance(1000);
			meter.record(i * 1_000_000);
		}
		for (let i = 1; i <= 10; i++) {
			clock.advance(1000);
			meter.record(20_000_000 + i * 1000);
		}

		expect(meter.rate(10_000)).toBeCloseTo(1000, 5);
		expect(meter.rate(30_000)).toBeCloseTo(20_010_000 / 30, 0);
	});

	it('counts a stall as the window passes even though no byte calls it', () => {
		const clock = fakeClock();
		const meter = new ThroughputMeter({ historyMs: 10_000, now: clock.now });
		clock.advance(1000);
		meter.record(500_000);

		clock.advance(20_000);

		expect(meter.rate(10_000)).toBe(0);
	});
});

describe('TransferWatchdog', () => {
	it('leaves a transfer above the floor alone', () => {
		const clock = fakeClock();
		const { meter, watchdog } = watch(clock);

		transfer(clock, meter, watchdog, 20_000, 120);

		expect(watchdog.abandoned).toBeUndefined();
		expect(watchdog.signal.aborted).toBe(false);
		watchdog.stop();
	});

	it('abandons a crawl once a whole window has been below the floor, not before', () => {
		const clock = fakeClock();
		const { meter, watchdog } = watch(clock);

		transfer(clock, meter, watchdog, 1000, 29);
		expect(watchdog.abandoned).toBeUndefined();
		transfer(clock, meter, watchdog, 1000, 1);

		expect(watchdog.abandoned).toBeInstanceOf(SlowTransferError);
		expect(watchdog.abandoned).toMatchObject({ kind: 'crawling', message: '1.0 kB/s over the last 30 s, below the floor of 16.0 kB/s' });
		expect(watchdog.signal.aborted).toBe(true);
	});

	it('abandons a stall that follows a fast start within one window of the stall', () => {
		const clock = fakeClock();
		const { meter, watchdog } = watch(clock);
		transfer(clock, meter, watchdog, 5_000_000, 40);

		transfer(clock, meter, watchdog, 0, 29);
		expect(watchdog.abandoned).toBeUndefined();
		transfer(clock, meter, watchdog, 0, 1);

		expect(watchdog.abandoned).toMatchObject({ kind: 'stalled', message: 'no data for 30 s' });
	});

	it('abandons a request that gets no answer at all', () => {
		const clock = fakeClock();
		const { watchdog } = watch(clock);

		clock.advance(30_000);
		watchdog.check();

		expect(watchdog.abandoned).toMatchObject({ kind: 'stalled' });
	});

	it('says once that the transfer crawls, a third of the window before it could be abandoned', () => {
		const clock = fakeClock();
		const warnings: string[] = [];
		const { meter, watchdog } = watch(clock, { warn: (m) => warnings.push(m) });

		transfer(clock, meter, watchdog, 2000, 9);
		expect(warnings).toEqual([]);
		transfer(clock, meter, watchdog, 2000, 15);

		expect(watchdog.abandoned).toBeUndefined();
		expect(warnings).toEqual([
			'onnx/vision_model.onnx: crawling at 2.0 kB/s, below the floor of 16.0 kB/s over 30 s; the transfer will be abandoned and resumed if it stays that slow.',
		]);
		watchdog.stop();
	});

	it('stops a crawling attempt at once past the give-up deadline', () => {
		const clock = fakeClock();
		const { meter, watchdog } = watch(clock, { deadline: clock.now() + 12_000 });

		transfer(clock, meter, watchdog, 1000, 11);
		expect(watchdog.abandoned).toBeUndefined();
		transfer(clock, meter, watchdog, 1000, 1);

		expect(watchdog.abandoned).toMatchObject({ kind: 'crawling', message: '1.0 kB/s over the last 10 s, below the floor of 16.0 kB/s when the give-up time (2 min) ran out' });
	});

	it('lets a healthy attempt run past the give-up deadline', () => {
		const clock = fakeClock();
		const { meter, watchdog } = watch(clock, { deadline: clock.now() + 1000 });

		transfer(clock, meter, watchdog, 100_000, 60);

		expect(watchdog.abandoned).toBeUndefined();
		watchdog.stop();
	});

	it('calls a trickle a trickle, not 0 B/s', () => {
		const clock = fakeClock();
		const { meter, watchdog } = watch(clock);

		transfer(clock, meter, watchdog, 0.5, 30);

		expect(watchdog.abandoned).toMatchObject({ kind: 'crawling', message: '< 1 B/s over the last 30 s, below the floor of 16.0 kB/s' });
	});

	it('passes the caller\'s cancel on through its signal without calling it an abandonment', () => {
		const clock = fakeClock();
		const controller = new AbortController();
		const { watchdog } = watch(clock, { signal: controller.signal });

		controller.abort();

		expect(watchdog.signal.aborted).toBe(true);
		expect(watchdog.abandoned).toBeUndefined();
		watchdog.stop();
	});
});
