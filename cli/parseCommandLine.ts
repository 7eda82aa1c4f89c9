import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A negative number as written on a command line: -10, -0.5, -.5, -1e-3. */
const NEGATIVE_NUMBER = /^-(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * node:util's parseArgs, except that a negative number is accepted as the value of an
 * option that takes one: parseArgs refuses "--logit-bias -10" as ambiguous (the value starts with a
 * dash), although trained SigLIP biases are negative. No option is named by digits, so such a pair
 * can only mean option and value; it is passed on as "--logit-bias=-10". Anything else that starts
 * with a dash is parsed as before: an unknown option is refused, and so is an option given where a
 * value is expected ("--logit-bias --offline"). Arguments after "--" are left alone.
 */
export function parseCommandLine<T extends ParseArgsConfig & { args: string[] }>(config: T): ReturnType<typeof parseArgs<T>> {
	return parseArgs({ ...config, args: joinNegativeNumberValues(config.args, config) });
}

function joinNegativeNumberValues(args: readonly string[], config: ParseArgsConfig): string[] {
	const takesValue = new Set<string>();
	for (const [name, option] of Object.entries(config.options ?? {})) {
		if (option.type !== 'string') continue;
		takesValue.add(`--${name}`);
		if (option.short !== undefined) takesValue.add(`-${option.short}`);
	}
	const joined: string[] = [];
	for (let i = 0; i < args.length; i++) {
		const arg = args[i];
		if (arg === '--') return [...joined, ...args.slice(i)];
		const next = args[i + 1];
		if (takesValue.has(arg) && next !== undefined && NEGATIVE_NUMBER.test(next)) {
			joined.push(`${arg.startsWith('--') ? `${arg}=` : arg}${next}`);
			i++;
		} else {
			joined.push(arg);
		}
	}
	return joined;
}
