import { EngineError } from '../errors';

/**
 * Normalizes a user's class list: a comma-separated string or an array; entries trimmed,
 * empty ones dropped. Duplicates are an error, since their probabilities would split arbitrarily.
 */
export function parseClassList(value: unknown): string[] {
	let entries: unknown[];
	if (Array.isArray(value)) entries = value;
	else if (typeof value === 'string') entries = value.split(',');
	else if (value === undefined || value === null) entries = [];
	else throw new EngineError('CLASS_LIST', `classes must be a comma-separated string or an array, got ${typeof value}`);
	const classes = entries
		.map((entry) => (typeof entry === 'string' ? entry : entry === null || entry === undefined ? '' : String(entry)).trim())
		.filter((entry) => entry.length > 0);
	if (classes.length === 0) {
		throw new EngineError('CLASS_LIST', 'the class list is empty', 'Give at least one class name, e.g. "cat, dog, car".');
	}
	const seen = new Set<string>();
	for (const name of classes) {
		if (seen.has(name)) throw new EngineError('CLASS_LIST', `the class "${name}" appears twice in the class list`);
		seen.add(name);
	}
	return classes;
}

/**
 * Why a class list given to the engine as is (not through `parseClassList`) cannot be scored:
 * empty, a blank name, or a name twice (their probabilities would split arbitrarily).
 */
export function classListProblem(classes: readonly string[]): EngineError | undefined {
	if (classes.every((name) => typeof name !== 'string' || name.trim() === '')) {
		return new EngineError('CLASS_LIST', 'the class list is empty', 'Give at least one class name, e.g. "cat, dog, car".');
	}
	const seen = new Set<string>();
	for (let i = 0; i < classes.length; i++) {
		const name = classes[i];
		if (typeof name !== 'string' || name.trim() === '') return new EngineError('CLASS_LIST', `class ${i + 1} of the class list is blank`);
		if (seen.has(name)) return new EngineError('CLASS_LIST', `the class "${name}" appears twice in the class list`);
		seen.add(name);
	}
	return undefined;
}
