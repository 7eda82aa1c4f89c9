import { EngineError, errorMessage } from '../errors';
import { preprocessOffThread } from '../image/preprocessPool';
import { DEFAULT_MAX_PIXELS, type Resampling } from '../image/preprocessSpec';
import type { ClipModel } from '../model/clipModel';
import { batchProbabilities, packClasses, type PackedClasses } from '../scoring/batchScores';
import { classListProblem } from '../text/classList';
import { buildPrompt, DEFAULT_PROMPT_TEMPLATE } from '../text/promptTemplate';

/** One image to classify against its own class list. */
export interface ClassificationRequest {
	/** The encoded image, or a loader so that only one batch of images is held in memory at a time. */
	readonly image: Buffer | (() => Promise<Buffer>);
	readonly classes: readonly string[];
}

export interface Classification {
	/** One per class, in the order of `classes`, summing to 1. */
	readonly probabilities: number[];
	readonly classes: string[];
	readonly label: string;
	readonly score: number;
}

export interface ClassifyOptions {
	readonly template?: string;
	readonly batchSize?: number;
	readonly resampling?: Resampling;
	readonly maxPixels?: number;
	/** Overrides the model's logit scale. */
	readonly logitScale?: number;
	readonly signal?: AbortSignal;
	/** Receives each image's model input (normalized CHW), e.g. to compare preprocessing with other pipelines. */
	readonly onPixels?: (index: number, pixels: Float32Array) => void;
}

export const DEFAULT_BATCH_SIZE = 16;

function throwIfAborted(signal: AbortSignal | undefined): void {
	if (signal?.aborted) throw new EngineError('CANCELLED', 'the classification was cancelled');
}

interface PreparedBatch {
	readonly indices: number[];
	readonly pixels: Float32Array;
	readonly errors: Map<number, Error>;
}

interface PendingBatch {
	/** Every image is loaded and handed to preprocessing (worker threads carry on from there). */
	readonly started: Promise<void>;
	readonly prepared: Promise<PreparedBatch>;
}

/**
 * Classifies every request; a request that fails (unreadable image, ...) gets its Error in
 * its slot and the others are still classified. Images run through the vision tower in
 * batches, the next batch decoding (on worker threads) while the current one is inferred;
 * each distinct class list is embedded once (and cached across calls by the model).
 */
export async function classifyImages(model: ClipModel, given: readonly ClassificationRequest[], options: ClassifyOptions = {}): Promise<Array<Classification | Error>> {
	// A request whose class list cannot be scored fails alone (its image is never read); the others go on.
	const requests = given.map(checkedClassList);
	const template = options.template ?? DEFAULT_PROMPT_TEMPLATE;
	const batchSize = Math.max(1, Math.floor(options.batchSize ?? DEFAULT_BATCH_SIZE));
	const results: Array<Classification | Error> = new Array(requests.length);

	const { keys, lists: textEmbeddings } = await embedClassLists(model, requests, template);
	const logitScale = options.logitScale ?? model.logitScale;
	const perImage = 3 * model.preprocess.size * model.preprocess.size;
	const spare: Float32Array[] = [];
	const preprocessOptions = { resampling: options.resampling ?? 'exact', limits: { maxPixels: options.maxPixels ?? DEFAULT_MAX_PIXELS } } as const;

	const load = async (index: number): Promise<Buffer> => {
		throwIfAborted(options.signal);
		const request = requests[index];
		return typeof request.image === 'function' ? await request.image() : request.image;
	};

	const prepare = (start: number): PendingBatch => {
		const indices: number[] = [];
		const errors = new Map<number, Error>();
		const end = Math.min(start + batchSize, requests.length);
		const pixels = spare.pop() ?? new Float32Array(batchSize * perImage);
		const handedOver: Array<Promise<unknown>> = [];
		// Each image lands in its slot of the batch tensor; failed slots are squeezed out after.
		const outcomes = Array.from({ length: end - start }, (_, k) => {
			const index = start + k;
			const loaded = load(index);
			const preprocessed = loaded.then((buffer) => preprocessOffThread(buffer, model.preprocess, preprocessOptions, pixels, k * perImage));
			// Registered after `preprocessed`, so it settles only once the image has been handed over.
			handedOver.push(loaded.catch(() => undefined));
			return preprocessed.then(
				() => true,
				(error: unknown) => {
					errors.set(index, error instanceof Error ? error : new Error(errorMessage(error)));
					return false;
				},
			);
		});
		const prepared = Promise.all(outcomes).then((ok) => {
			ok.forEach((succeeded, k) => {
				if (!succeeded) return;
				const slot = indices.length;
				if (slot !== k) pixels.copyWithin(slot * perImage, k * perImage, (k + 1) * perImage);
				indices.push(start + k);
				options.onPixels?.(start + k, pixels.subarray(slot * perImage, (slot + 1) * perImage));
			});
			return { indices, pixels, errors };
		});
		return { started: Promise.all(handedOver).then(() => undefined), prepared };
	};

	let next: PendingBatch | undefined = requests.length > 0 ? prepare(0) : undefined;
	for (let start = 0; start < requests.length; start += batchSize) {
		const batch = await (next as PendingBatch).prepared;
		throwIfAborted(options.signal);
		next = start + batchSize < requests.length ? prepare(start + batchSize) : undefined;
		// onnxruntime-node's run blocks this thread for the whole batch: the next batch's images must
		// be loaded and with the preprocessing threads before it starts, or they would wait for it.
		await next?.started;
		for (const [index, error] of batch.errors) results[index] = error;
		if (batch.indices.length > 0) {
			const embeddings = await model.embedPixels(batch.pixels.subarray(0, batch.indices.length * perImage), batch.indices.length);
			// Images of a batch that share a class list are scored together.
			const byList = new Map<string, number[]>();
			batch.indices.forEach((index, k) => {
				const members = byList.get(keys[index]);
				if (members) members.push(k);
				else byList.set(keys[index], [k]);
			});
			for (const [key, members] of byList) {
				const probabilities = batchProbabilities(members.map((k) => embeddings[k]), textEmbeddings.get(key) as PackedClasses, logitScale);
				members.forEach((k, m) => {
					const index = batch.indices[k];
					const classes = [...requests[index].classes];
					const p = probabilities[m];
					let best = 0;
					for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
					results[index] = { probabilities: p, classes, label: classes[best], score: p[best] };
				});
			}
		}
		spare.push(batch.pixels);
	}
	return results;
}

function checkedClassList(request: ClassificationRequest): ClassificationRequest {
	const problem = classListProblem(request.classes);
	return problem === undefined ? request : { classes: request.classes, image: () => Promise.reject(problem) };
}

function classKey(classes: readonly string[]): string {
	return JSON.stringify(classes);
}

/**
 * Embeds every distinct class list once (the model caches prompts across calls) and packs each
 * for batched scoring. `keys[i]` names request i's list in `lists`.
 */
async function embedClassLists(model: ClipModel, requests: readonly ClassificationRequest[], template: string): Promise<{ keys: string[]; lists: Map<string, PackedClasses> }> {
	const lists = new Map<string, readonly string[]>();
	// Keyed once per request (once per array when requests share one): the JSON of a 1,000-name list is not free.
	const keyOf = new Map<readonly string[], string>();
	const keys = requests.map((r) => {
		let key = keyOf.get(r.classes);
		if (key === undefined) keyOf.set(r.classes, (key = classKey(r.classes)));
		return key;
	});
	requests.forEach((r, i) => {
		if (!classListProblem(r.classes)) lists.set(keys[i], r.classes);
	});
	const prompts = [...new Set([...lists.values()].flatMap((classes) => classes.map((c) => buildPrompt(template, c))))];
	const embedded = await model.embedPrompts(prompts);
	const byPrompt = new Map(prompts.map((p, i) => [p, embedded[i]]));
	const out = new Map<string, PackedClasses>();
	for (const [key, classes] of lists) out.set(key, packClasses(classes.map((c) => byPrompt.get(buildPrompt(template, c)) as Float32Array)));
	return { keys, lists: out };
}
