import { readFile } from 'node:fs/promises';
import { ModelFileError, errorMessage } from '../errors';

/** Reads a model folder's JSON file; failures name the file. */
export async function readJsonFile(path: string): Promise<Record<string, unknown>> {
	let text: string;
	try {
		text = await readFile(path, 'utf8');
	} catch (error) {
		const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
		throw new ModelFileError(path, missing ? 'is missing' : `cannot be read (${errorMessage(error)})`);
	}
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (error) {
		throw new ModelFileError(path, `is not valid JSON (${errorMessage(error)})`);
	}
	if (value === null || typeof value !== 'object' || Array.isArray(value)) {
		throw new ModelFileError(path, 'must hold a JSON object');
	}
	return value as Record<string, unknown>;
}
