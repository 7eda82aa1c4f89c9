import { formatRate } from './byteFormat';
import { formatDuration } from './durationFormat';
import { HubError } from './hubErrors';

/**
 * When a download counts as hopeless. A first model download happens inside an n8n execution,
 * so a crawling proxy or a broken mirror must not hold that execution (and everyone waiting on
 * the same download lock) for ever: each of these bounds is what turns "slow" into an error.
 */
export interface DownloadLimits {
	/**
	 * The throughput floor: a transfer averaging less than this over `windowMs` is abandoned and
	 * resumed from where it stopped. 0 keeps only the stall check (no byte at all for `windowMs`).
	 */
	minBytesPerSecond: number;
	/** How long the average is taken over; also how long a complete stall lasts before it is abandoned. */
	windowMs: number;
	/**
	 * Once a file's transfer has been abandoned for being too slow, how long retries may go on:
	 * after this, no new attempt starts and an attempt still crawling is stopped.
	 */
	giveUpMs: number;
}

/** 16 kB/s is 1 MB a minute: below it even the smallest preset (~150 MB) would take hours. */
export const DEFAULT_DOWNLOAD_LIMITS: DownloadLimits = {
	minBytesPerSecond: 16_000,
	windowMs: 30_000,
	giveUpMs: 120_000,
};

export const DOWNLOAD_LIMIT_ENV = {
	minBytesPerSecond: 'N8N_ZSIC_DOWNLOAD_MIN_SPEED',
	windowMs: 'N8N_ZSIC_DOWNLOAD_SPEED_WINDOW',
	giveUpMs: 'N8N_ZSIC_DOWNLOAD_GIVE_UP',
} as const satisfies Record<keyof DownloadLimits, string>;

/** The options' figures, else the environment's, else the defaults; a malformed variable is an error, not ignored. */
export function resolveDownloadLimits(options: Partial<DownloadLimits> = {}, env: NodeJS.ProcessEnv = process.env): DownloadLimits {
	const limits: DownloadLimits = {
		minBytesPerSecond: options.minBytesPerSecond ?? fromEnv(env, 'minBytesPerSecond', parseSpeed) ?? DEFAULT_DOWNLOAD_LIMITS.minBytesPerSecond,
		windowMs: options.windowMs ?? fromEnv(env, 'windowMs', parseSeconds) ?? DEFAULT_DOWNLOAD_LIMITS.windowMs,
		giveUpMs: options.giveUpMs ?? fromEnv(env, 'giveUpMs', parseSeconds) ?? DEFAULT_DOWNLOAD_LIMITS.giveUpMs,
	};
	if (!(limits.minBytesPerSecond >= 0) || !(limits.windowMs > 0) || !(limits.giveUpMs >= 0)) {
		throw new HubError('invalid-setting', `Invalid download limits: ${JSON.stringify(limits)} (the floor must be >= 0, the window > 0, the give-up time >= 0).`);
	}
	return limits;
}

/** "16 kB/s over 30 s", for messages. */
export function describeFloor(limits: DownloadLimits): string {
	return `${formatRate(limits.minBytesPerSecond)} over ${formatDuration(limits.windowMs)}`;
}

const SPEED_UNITS: Record<string, number> = { '': 1, b: 1, k: 1000, kb: 1000, kib: 1024, m: 1e6, mb: 1e6, mib: 1024 * 1024 };

/** "16000", "16kB", "16 KiB/s", "1.5MB/s"; decimal units like the rest of the package's output. */
export function parseSpeed(text: string): number | undefined {
	const match = text.trim().match(/^(\d+(?:\.\d+)?)\s*([a-z]*?)(?:\/s)?$/i);
	const unit = match ? SPEED_UNITS[match[2].toLowerCase()] : undefined;
	return match && unit !== undefined ? Math.round(Number(match[1]) * unit) : undefined;
}

/** "30", "30s", "0.5" (tests), "2m" / "2min": milliseconds. */
export function parseSeconds(text: string): number | undefined {
	const match = text.trim().match(/^(\d+(?:\.\d+)?)\s*(s|m|min)?$/i);
	if (!match) return undefined;
	const factor = match[2] === undefined || match[2].toLowerCase() === 's' ? 1000 : 60_000;
	return Math.round(Number(match[1]) * factor);
}

function fromEnv(env: NodeJS.ProcessEnv, key: keyof DownloadLimits, parse: (text: string) => number | undefined): number | undefined {
	const name = DOWNLOAD_LIMIT_ENV[key];
	const raw = env[name]?.trim();
	if (raw === undefined || raw === '') return undefined;
	const value = parse(raw);
	if (value === undefined) {
		const example = key === 'minBytesPerSecond' ? '16kB (per second), 16000 or 0 to check only for stalls' : '30 (seconds) or 2m';
		throw new HubError('invalid-setting', `${name}="${raw}" is not understood; expected e.g. ${example}.`);
	}
	return value;
}
