import { describeProgress, ProgressReporter, type DownloadProgress } from '../../engine/hub/downloadProgress';
import { fakeClock } from './fakeClock';

describe('ProgressReporter', () => {
	it('logs percent, sizes, MB/s and the time left', () => {
		const clock = fakeClock();
		const log: string[] = [];
		const reporter = new ProgressReporter({ file: 'onnx/vision_model.onnx', totalBytes: 400e6, startBytes: 0, log: (m) => log.push(m), now: clock.now });

		clock.advance(10_000);
		reporter.update(100e6);

		expect(log).toEqual(['onnx/vision_model.onnx: 25% (100 MB of 400 MB) at 10.0 MB/s, 30 s left']);
	});

	it('logs at most once every five seconds however often it is updated', () => {
		const clock = fakeClock();
		const log: string[] = [];
		const reporter = new ProgressReporter({ file: 'f', totalBytes: 1e9, startBytes: 0, log: (m) => log.push(m), now: clock.now });

		for (let i = 1; i <= 120; i++) {
			clock.advance(100);
			reporter.update(i * 1e6);
		}

		expect(log).toHaveLength(2);
	});

	it('limits callbacks to one per interval and always reports the end', () => {
		const clock = fakeClock();
		const calls: DownloadProgress[] = [];
		const reporter = new ProgressReporter({ file: 'f', totalBytes: 1000, startBytes: 0, onProgress: (p) => calls.push(p), now: clock.now, callbackIntervalMs: 200 });

		for (let i = 1; i <= 10; i++) {
			clock.advance(50);
			reporter.update(i * 100);
		}
		reporter.finish();

		expect(calls.map((c) => c.receivedBytes)).toEqual([100, 500, 900, 1000]);
	});

	it('computes the rate over this attempt only, not the bytes a resumed download already had', () => {
		const clock = fakeClock();
		const reporter = new ProgressReporter({ file: 'f', totalBytes: 1000e6, startBytes: 900e6, now: clock.now });

		clock.advance(2_000);
		reporter.update(910e6);

		expect(reporter.finish().bytesPerSecond).toBe(5e6);
	});

	it('reports the rate of the last 10 s, so a transfer that slows down shows it at once', () => {
		const clock = fakeClock();
		const reporter = new ProgressReporter({ file: 'f', totalBytes: 1000e6, startBytes: 0, now: clock.now });
		for (let i = 1; i <= 60; i++) {
			clock.advance(1000);
			reporter.update(i * 10e6);
		}
		for (let i = 1; i <= 10; i++) {
			clock.advance(1000);
			reporter.update(600e6 + i * 1e6);
		}

		const progress = reporter.finish();
		expect(progress.bytesPerSecond).toBeCloseTo(1e6, 0);
		expect(progress.etaSeconds).toBeCloseTo(390, 0);
	});

	it('keeps reporting while no byte arrives, down to no rate and no ETA, flagged as too slow', () => {
		const clock = fakeClock();
		const calls: DownloadProgress[] = [];
		const reporter = new ProgressReporter({ file: 'f', totalBytes: 1000, startBytes: 0, onProgress: (p) => calls.push(p), now: clock.now });
		clock.advance(1000);
		reporter.update(500);

		clock.advance(11_000);
		reporter.refresh(true);

		expect(calls[calls.length - 1]).toEqual({ file: 'f', receivedBytes: 500, totalBytes: 1000, bytesPerSecond: 0, etaSeconds: undefined, crawling: true });
	});
});

describe('describeProgress', () => {
	it('says when the transfer is below the throughput floor', () => {
		expect(describeProgress({ file: 'f', receivedBytes: 1e6, totalBytes: 4e6, bytesPerSecond: 2000, etaSeconds: 1500, crawling: true })).toBe(
			'f: 25% (1.0 MB of 4.0 MB) at 2.0 kB/s (too slow), 25 min left',
		);
	});

	it('shows only the amount and rate when the total is unknown', () => {
		expect(describeProgress({ file: 'f', receivedBytes: 2.5e6, totalBytes: undefined, bytesPerSecond: 1e6 })).toBe('f: 2.5 MB at 1.0 MB/s');
	});
});
