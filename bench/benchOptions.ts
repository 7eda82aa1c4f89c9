/** `npm run bench -- [--quick] [--rounds N] [--only <regex>] [--no-peer] [--no-large] [--prepare] [--max-wait S]` */
export interface BenchOptions {
	/** A subset that finishes in a few minutes (fewer images, rounds and scenarios). */
	readonly quick: boolean;
	/** Interleaved rounds: every scenario runs once per round, in the same order. */
	readonly rounds: number;
	/** Only scenarios whose name matches (the ceilings they are compared with run too). */
	readonly only: RegExp | undefined;
	readonly peer: boolean;
	/** The ViT-L/14 memory scenario (generates a 3.4 GB model on first use). */
	readonly large: boolean;
	/** Only generate the cached models and images. */
	readonly prepareOnly: boolean;
	/** Longest wait for a quiet machine per scenario (all its attempts), in seconds. */
	readonly maxWaitSeconds: number;
}

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
	const has = (flag: string): boolean => argv.includes(flag);
	const value = (flag: string): string | undefined => {
		const i = argv.indexOf(flag);
		return i >= 0 ? argv[i + 1] : undefined;
	};
	const withValue = ['--rounds', '--only', '--max-wait'];
	const known = new Set(['--quick', '--no-peer', '--no-large', '--prepare', ...withValue]);
	for (let i = 0; i < argv.length; i++) {
		if (!known.has(argv[i])) throw new Error(`unknown option ${argv[i]} (options: ${[...known].join(' ')})`);
		if (withValue.includes(argv[i])) i++;
	}
	const quick = has('--quick');
	const rounds = Number(value('--rounds') ?? (quick ? 2 : 3));
	if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds takes a positive integer');
	const only = value('--only');
	// Quick runs must stay well under ten minutes even on a machine that never goes quiet.
	const maxWaitSeconds = Number(value('--max-wait') ?? (quick ? 10 : 120));
	if (!Number.isFinite(maxWaitSeconds) || maxWaitSeconds < 0) throw new Error('--max-wait takes a number of seconds');
	return { quick, rounds, only: only ? new RegExp(only) : undefined, peer: !has('--no-peer'), large: !has('--no-large') && !quick, prepareOnly: has('--prepare'), maxWaitSeconds };
}
