import { EngineError, errorMessage } from '../errors';
import { preprocessOffThread } from '../image/preprocessPool';
import { DEFAULT_MAX_PIXELS, DEFAULT_RESAMPLING, type Resampling } from '../image/preprocessSpec';
import type { ClipModel } from '../model/clipModel';
import { imageEmbeddingKey, type ImageEmbeddingCache } from './imageEmbeddingCache';

/** The encoded image, or a loader so that only one batch of images is held in memory at a time. */
export type ImageInput = Buffer | (() => Promise<Buffer>);

export interface ImageEmbeddingOptions {
	readonly batchSize?: number;
	readonly resampling?: Resampling;
	readonly maxPixels?: number;
	readonly signal?: AbortSignal;
	/** Receives each image's model input (normalized CHW), e.g. to compare preprocessing with other pipelines. */
	readonly onPixels?: (index: number, pixels: Float32Array) => void;
	/**
	 * Embeddings of images seen before (same bytes, model and preprocessing) are taken from it,
	 * with no decoding and no inference (nor `onPixels`); the others are added to it.
	 */
	readonly cache?: ImageEmbeddingCache;
}

export const DEFAULT_BATCH_SIZE = 16;

export function throwIfAborted(signal: AbortSignal | undefined): void {
	if (signal?.aborted) throw new EngineError('CANCELLED', 'the run was cancelled');
}

interface PreparedBatch {
	readonly indices: number[];
	readonly pixels: Float32Array;
	readonly errors: Map<number, Error>;
	/** Cache keys of the images in `indices` (when a cache is in use). */
	readonly keys: Map<number, string>;
}

interface PendingBatch {
	/** Every image is loaded and handed to preprocessing (worker threads carry on from there). */
	readonly started: Promise<void>;
	readonly prepared: Promise<PreparedBatch>;
}

/**
 * The L2-normalized image embedding of every input; an input that fails (unreadable image, ...)
 * gets its Error in its slot and the others go on. Images run through the vision tower in
 * batches, the next batch decoding (on worker threads) while the current one is inferred.
 */
export async function embedImages(model: ClipModel, images: readonly ImageInput[], options: ImageEmbeddingOptions = {}): Promise<Array<Float32Array | Error>> {
	const batchSize = Math.max(1, Math.floor(options.batchSize ?? DEFAULT_BATCH_SIZE));
	const results: Array<Float32Array | Error> = new Array(images.length);
	const perImage = 3 * model.preprocess.size * model.preprocess.size;
	const spare: Float32Array[] = [];
	const preprocessOptions = { resampling: options.resampling ?? DEFAULT_RESAMPLING, limits: { maxPixels: options.maxPixels ?? DEFAULT_MAX_PIXELS } } as const;
	const { cache } = options;
	const preprocessing = `${preprocessOptions.resampling}/${preprocessOptions.limits.maxPixels}`;

	const load = async (index: number): Promise<Buffer> => {
		throwIfAborted(options.signal);
		const image = images[index];
		return typeof image === 'function' ? await image() : image;
	};

	const prepare = (start: number): PendingBatch => {
		const indices: number[] = [];
		const errors = new Map<number, Error>();
		const keys = new Map<number, string>();
		const end = Math.min(start + batchSize, images.length);
		const pixels = spare.pop() ?? new Float32Array(batchSize * perImage);
		const handedOver: Array<Promise<unknown>> = [];
		// Each image lands in its slot of the batch tensor; failed and cached slots are squeezed out after.
		const outcomes = Array.from({ length: end - start }, (_, k) => {
			const index = start + k;
			const loaded = load(index);
			const preprocessed = loaded.then(async (buffer): Promise<boolean> => {
				if (cache) {
					const key = imageEmbeddingKey(model, preprocessing, buffer);
					const hit = cache.get(key);
					if (hit) {
						results[index] = hit;
						return false;
					}
					keys.set(index, key);
				}
				await preprocessOffThread(buffer, model.preprocess, preprocessOptions, pixels, k * perImage);
				return true;
			});
			// Registered after `preprocessed`, so it settles only once the image has been handed over.
			handedOver.push(loaded.catch(() => undefined));
			return preprocessed.then(
				(toInfer) => toInfer,
				(error: unknown) => {
					errors.set(index, error instanceof Error ? error : new Error(errorMessage(error)));
					return false;
				},
			);
		});
		const prepared = Promise.all(outcomes).then((toInfer) => {
			toInfer.forEach((infer, k) => {
				if (!infer) return;
				const slot = indices.length;
				if (slot !== k) pixels.copyWithin(slot * perImage, k * perImage, (k + 1) * perImage);
				indices.push(start + k);
				options.onPixels?.(start + k, pixels.subarray(slot * perImage, (slot + 1) * perImage));
			});
			return { indices, pixels, errors, keys };
		});
		return { started: Promise.all(handedOver).then(() => undefined), prepared };
	};

	let next: PendingBatch | undefined = images.length > 0 ? prepare(0) : undefined;
	for (let start = 0; start < images.length; start += batchSize) {
		const batch = await (next as PendingBatch).prepared;
		throwIfAborted(options.signal);
		next = start + batchSize < images.length ? prepare(start + batchSize) : undefined;
		// onnxruntime-node's run blocks this thread for the whole batch: the next batch's images must
		// be loaded and with the preprocessing threads before it starts, or they would wait for it.
		await next?.started;
		for (const [index, error] of batch.errors) results[index] = error;
		if (batch.indices.length > 0) {
			const embeddings = await model.embedPixels(batch.pixels.subarray(0, batch.indices.length * perImage), batch.indices.length);
			batch.indices.forEach((index, k) => {
				results[index] = embeddings[k];
				const key = batch.keys.get(index);
				if (key !== undefined) cache?.set(key, embeddings[k]);
			});
		}
		spare.push(batch.pixels);
	}
	return results;
}
