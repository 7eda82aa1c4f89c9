import { DEFAULT_DOWNLOAD_LIMITS, parseSeconds, parseSpeed, resolveDownloadLimits } from '../../engine/hub/downloadLimits';
import { formatDuration } from '../../engine/hub/durationFormat';

describe('download limits', () => {
	it('default to 16 kB/s over 30 s and a 2-minute give-up', () => {
		expect(resolveDownloadLimits({}, {})).toEqual({ minBytesPerSecond: 16_000, windowMs: 30_000, giveUpMs: 120_000 });
		expect(DEFAULT_DOWNLOAD_LIMITS).toEqual(resolveDownloadLimits({}, {}));
	});

	it('are read from the environment', () => {
		const env = { N8N_ZSIC_DOWNLOAD_MIN_SPEED: '8kB', N8N_ZSIC_DOWNLOAD_SPEED_WINDOW: '60', N8N_ZSIC_DOWNLOAD_GIVE_UP: '5m' };

		expect(resolveDownloadLimits({}, env)).toEqual({ minBytesPerSecond: 8000, windowMs: 60_000, giveUpMs: 300_000 });
	});

	it('prefer the options over the environment', () => {
		expect(resolveDownloadLimits({ windowMs: 1000 }, { N8N_ZSIC_DOWNLOAD_SPEED_WINDOW: '60' }).windowMs).toBe(1000);
	});

	it('refuse a malformed variable, naming it and an example', () => {
		expect(() => resolveDownloadLimits({}, { N8N_ZSIC_DOWNLOAD_SPEED_WINDOW: 'half a minute' })).toThrow(
			'N8N_ZSIC_DOWNLOAD_SPEED_WINDOW="half a minute" is not understood; expected e.g. 30 (seconds) or 2m.',
		);
	});

	it('refuse a zero window, which would abandon every transfer at once', () => {
		expect(() => resolveDownloadLimits({}, { N8N_ZSIC_DOWNLOAD_SPEED_WINDOW: '0' })).toThrow(/the window > 0/);
	});

	it('accept a floor of 0: only complete stalls are abandoned then', () => {
		expect(resolveDownloadLimits({}, { N8N_ZSIC_DOWNLOAD_MIN_SPEED: '0' }).minBytesPerSecond).toBe(0);
	});
});

describe('parseSpeed', () => {
	it.each([
		['16000', 16_000],
		['16kB', 16_000],
		['16 kB/s', 16_000],
		['16KiB', 16_384],
		['1.5MB/s', 1_500_000],
		['2MiB', 2_097_152],
		['0', 0],
	])('reads %s as %d bytes per second', (text, expected) => {
		expect(parseSpeed(text)).toBe(expected);
	});

	it.each(['fast', '-1kB', '16 GB', ''])('rejects %p', (text) => {
		expect(parseSpeed(text)).toBeUndefined();
	});
});

describe('parseSeconds', () => {
	it.each([
		['30', 30_000],
		['30s', 30_000],
		['0.5', 500],
		['2m', 120_000],
		['2 min', 120_000],
	])('reads %s as %d ms', (text, expected) => {
		expect(parseSeconds(text)).toBe(expected);
	});
});

describe('formatDuration', () => {
	it.each([
		[500, '0.5 s'],
		[17_000, '17 s'],
		[125_000, '2 min 5 s'],
		[180_000, '3 min'],
		[12_000_000, '3 h 20 min'],
	])('writes %d ms as %s', (ms, text) => {
		expect(formatDuration(ms)).toBe(text);
	});
});
