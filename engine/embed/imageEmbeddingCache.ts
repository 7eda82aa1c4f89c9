import { createHash } from 'node:crypto';

/** The default size: a small share of a 1 GB n8n container, where the model itself takes hundreds of MB. */
export const DEFAULT_IMAGE_CACHE_MB = 64;

/** The environment variable that sizes the process-wide cache (in MB; 0 turns it off). */
export const IMAGE_CACHE_ENV = 'N8N_ZSIC_IMAGE_CACHE_MB';

/**
 * What one entry costs besides its floats and its key (counted as UTF-16): the Map slot and the
 * typed array's object and buffer headers, an estimate of V8's layout on the safe side.
 */
const ENTRY_OVERHEAD_BYTES = 200;

/**
 * Least-recently-used cache of image embeddings, bounded by their memory, not their count (a
 * 1,152-float SigLIP embedding weighs 2.25 times a 512-float CLIP one). Keys are built by
 * `imageEmbeddingKey`: the image's content hash and everything else that changes its embedding.
 * Stored and returned as copies, so no caller can alter a cached embedding.
 */
export class ImageEmbeddingCache {
	private readonly entries = new Map<string, Float32Array>();
	private usedBytes = 0;
	hits = 0;
	misses = 0;

	constructor(private maxBytes: number) {}

	/** The cache's bound in bytes; 0 keeps nothing. */
	get capacityBytes(): number {
		return this.maxBytes;
	}

	get bytes(): number {
		return this.usedBytes;
	}

	get size(): number {
		return this.entries.size;
	}

	/** Changes the bound, evicting the least recently used entries that no longer fit. */
	resize(maxBytes: number): void {
		this.maxBytes = Math.max(0, maxBytes);
		this.evict();
	}

	get(key: string): Float32Array | undefined {
		const hit = this.entries.get(key);
		if (hit === undefined) {
			this.misses++;
			return undefined;
		}
		this.hits++;
		// Map keeps insertion order: re-inserting marks the entry most recently used.
		this.entries.delete(key);
		this.entries.set(key, hit);
		return hit.slice();
	}

	set(key: string, embedding: Float32Array): void {
		const cost = entryBytes(key, embedding);
		if (cost > this.maxBytes) return;
		this.remove(key);
		this.entries.set(key, embedding.slice());
		this.usedBytes += cost;
		this.evict();
	}

	clear(): void {
		this.entries.clear();
		this.usedBytes = 0;
		this.hits = 0;
		this.misses = 0;
	}

	private remove(key: string): void {
		const old = this.entries.get(key);
		if (old === undefined) return;
		this.entries.delete(key);
		this.usedBytes -= entryBytes(key, old);
	}

	private evict(): void {
		while (this.usedBytes > this.maxBytes && this.entries.size > 0) this.remove(this.entries.keys().next().value as string);
	}
}

function entryBytes(key: string, embedding: Float32Array): number {
	return embedding.byteLength + 2 * key.length + ENTRY_OVERHEAD_BYTES;
}

const modelIds = new WeakMap<object, number>();
let nextModelId = 0;

/**
 * The cache key of one image for one loaded model and preprocessing. The model is named by its
 * loaded instance, not its folder: a model loaded with another variant or backend (native and
 * WebAssembly differ in the last bits) is another instance, and an instance's embeddings are
 * what it computes. The pixel limit is in the key so that an image refused under a lower limit
 * is not served from an entry made under a higher one.
 */
export function imageEmbeddingKey(model: object, preprocessing: string, image: Buffer): string {
	let id = modelIds.get(model);
	if (id === undefined) modelIds.set(model, (id = nextModelId++));
	const hash = createHash('sha256').update(image).digest('base64');
	return `${id}\u0000${preprocessing}\u0000${hash}`;
}

/** Megabytes as the environment variable gives them: a number ≥ 0, else the default. */
export function imageCacheMegabytesFromEnv(env: NodeJS.ProcessEnv = process.env): number {
	const raw = env[IMAGE_CACHE_ENV]?.trim();
	if (raw === undefined || raw === '') return DEFAULT_IMAGE_CACHE_MB;
	const value = Number(raw);
	return Number.isFinite(value) && value >= 0 ? value : DEFAULT_IMAGE_CACHE_MB;
}

export const MEGABYTE = 1024 * 1024;

/** The process-wide cache Classify and Embed Image share, sized by N8N_ZSIC_IMAGE_CACHE_MB (64 MB by default). */
export const sharedImageEmbeddingCache = new ImageEmbeddingCache(imageCacheMegabytesFromEnv() * MEGABYTE);
