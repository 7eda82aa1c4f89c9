import { readFile } from 'node:fs/promises';

import { embedImages, type ImageEmbeddingOptions } from '../embed/embedImages';
import { EngineError, errorMessage } from '../errors';
import type { ClipModel } from '../model/clipModel';
import { contentHash, type ExampleEmbeddingCache } from './exampleEmbeddingCache';
import type { ExampleFolder } from './exampleFolder';

export interface ExampleClassEmbeddings {
	readonly label: string;
	readonly embeddings: readonly Float32Array[];
	/** Where each embedding came from (a file path, or an entry of a JSON list), for error messages. */
	readonly sources: readonly string[];
}

export interface EmbeddedExampleFolder {
	readonly classes: readonly ExampleClassEmbeddings[];
	readonly notes: readonly string[];
	/** Images run through the vision tower in this call. */
	readonly embedded: number;
	/** Images whose embedding came from the disk cache. */
	readonly fromCache: number;
}

export interface ExampleImageOptions extends Omit<ImageEmbeddingOptions, 'cache'> {
	/** Where example embeddings are kept between runs (on disk); none: every example is embedded. */
	readonly exampleCache?: ExampleEmbeddingCache;
}

/** Files hashed at once: bounds the bytes held while hashing, keeps the disk busy. */
const HASH_CONCURRENCY = 16;

interface ExampleFile {
	readonly path: string;
	readonly hash: string;
}

/**
 * The image embedding of every example in the folder: read and hashed, taken from the cache when
 * its content was embedded before (by this model key), else run through the vision tower in
 * batches, as Embed Image does, and written to the cache. An example that cannot be read or
 * decoded fails the whole call with an error naming the file: a class silently missing an
 * example would score differently with no sign why.
 */
export async function embedExampleFolder(model: ClipModel, examples: ExampleFolder, options: ExampleImageOptions = {}): Promise<EmbeddedExampleFolder> {
	const paths = examples.classes.flatMap((c) => c.files);
	const files = await hashFiles(paths, examples.folder);
	const byHash = new Map<string, Float32Array>();
	const missing: ExampleFile[] = [];
	const seen = new Set<string>();
	for (const file of files) {
		// The same image twice (in one class or two) is embedded once.
		if (seen.has(file.hash)) continue;
		seen.add(file.hash);
		const cached = await options.exampleCache?.get(file.hash);
		if (cached) byHash.set(file.hash, cached);
		else missing.push(file);
	}
	const fromCache = byHash.size;
	const notes = [...examples.notes];
	// The examples bypass the in-memory image cache: the disk cache already keeps them.
	const { exampleCache, ...embedOptions } = options;
	const embeddings = await embedImages(
		model,
		missing.map((file) => () => readFile(file.path)),
		embedOptions,
	);
	let cacheProblem: string | undefined;
	for (let k = 0; k < missing.length; k++) {
		const embedding = embeddings[k];
		if (embedding instanceof Error) {
			throw new EngineError(embedding instanceof EngineError ? embedding.code : 'IMAGE_DECODE', `example ${missing[k].path}: ${embedding.message}`, embedding instanceof EngineError ? embedding.hint : undefined);
		}
		byHash.set(missing[k].hash, embedding);
		if (exampleCache && cacheProblem === undefined) {
			// A read-only or full disk costs the next run time, never this run its result.
			await exampleCache.set(missing[k].hash, embedding).catch((error: unknown) => (cacheProblem = errorMessage(error)));
		}
	}
	if (cacheProblem !== undefined) notes.push(`example embeddings not cached (${cacheProblem}): the next run embeds them again`);
	let next = 0;
	const classes = examples.classes.map((c) => {
		const own = files.slice(next, next + c.files.length);
		next += c.files.length;
		return { label: c.label, embeddings: own.map((file) => byHash.get(file.hash) as Float32Array), sources: own.map((file) => file.path) };
	});
	return { classes, notes, embedded: missing.length, fromCache };
}

async function hashFiles(paths: readonly string[], folder: string): Promise<ExampleFile[]> {
	const out: ExampleFile[] = new Array(paths.length);
	for (let start = 0; start < paths.length; start += HASH_CONCURRENCY) {
		await Promise.all(
			paths.slice(start, start + HASH_CONCURRENCY).map(async (path, k) => {
				let bytes: Buffer;
				try {
					bytes = await readFile(path);
				} catch (error) {
					throw new EngineError('IMAGE_DECODE', `example ${path} cannot be read (${errorMessage(error)})`, `Check its permissions in ${folder}, or remove it.`);
				}
				out[start + k] = { path, hash: contentHash(bytes) };
			}),
		);
	}
	return out;
}
