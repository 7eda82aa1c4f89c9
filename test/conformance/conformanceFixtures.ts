import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** `../shared/conformance` beside the repo, or CONFORMANCE_DIR. */
export const CONFORMANCE_DIR = process.env.CONFORMANCE_DIR ?? resolve(__dirname, '../../../shared/conformance');
export const conformanceAvailable = existsSync(join(CONFORMANCE_DIR, 'cases'));

export interface ConformanceCase {
	readonly name: string;
	readonly images: string[];
	readonly template: string;
	readonly classes: string[];
	readonly prompts: string[];
	readonly token_ids: number[][];
	readonly expected_probs: number[][];
	readonly expected_top1: string[];
}

export interface TokenizerString {
	readonly text: string;
	readonly ids: number[];
	readonly ids77: number[];
}

export function loadCases(): ConformanceCase[] {
	const dir = join(CONFORMANCE_DIR, 'cases');
	return readdirSync(dir)
		.filter((f) => f.endsWith('.json') && f !== 'pixels.json' && f !== 'tokenizer_strings.json')
		.sort()
		.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ConformanceCase);
}

export function loadTokenizerStrings(): TokenizerString[] {
	return (JSON.parse(readFileSync(join(CONFORMANCE_DIR, 'cases', 'tokenizer_strings.json'), 'utf8')) as { strings: TokenizerString[] }).strings;
}

export function imageNames(): string[] {
	return readdirSync(join(CONFORMANCE_DIR, 'images')).sort();
}

export function referencePixels(image: string): Float32Array {
	const bytes = readFileSync(join(CONFORMANCE_DIR, 'pixels', `${image}.f32`));
	return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

export const LAYOUTS = [
	['hf', 'models/hf'],
	['immich', 'models/immich'],
] as const;

/** An image's size after EXIF orientation, from the reference pipeline's own record (cases/pixels.json). */
export function referenceSize(image: string): [number, number] {
	const record = JSON.parse(readFileSync(join(CONFORMANCE_DIR, 'cases', 'pixels.json'), 'utf8')) as { images: Record<string, { oriented_size: [number, number] }> };
	return record.images[image].oriented_size;
}
