/** The image-embedding cache: keyed by content, model and preprocessing; bounded by memory; above the ONNX backend. */
import { ClipModel, classifyImages, embedImages, ImageEmbeddingCache, imageCacheMegabytesFromEnv, imageEmbeddingKey, type ImageInput } from '../../engine';
import { testImage, type TestImageKind } from '../fixtures/testImages';
import { testModelPaths } from '../fixtures/testModels';

const KINDS: TestImageKind[] = ['stripes', 'blobs', 'checker', 'gradient', 'noise'];

let model: ClipModel;
let images: Buffer[];
beforeAll(async () => {
	model = await ClipModel.load(testModelPaths().hf.dir);
	images = await Promise.all(KINDS.map((kind) => testImage(kind)));
});
afterAll(() => model.release());

/** Embeds, counting the images decoded (onPixels fires once per preprocessed image) and the vision-tower calls. */
async function countedEmbed(on: ClipModel, inputs: readonly ImageInput[], cache?: ImageEmbeddingCache) {
	let decoded = 0;
	const inference = jest.spyOn(on, 'embedPixels');
	try {
		const embeddings = await embedImages(on, inputs, { cache, batchSize: 2, onPixels: () => decoded++ });
		return { embeddings: embeddings as Float32Array[], decoded, inferences: inference.mock.calls.length };
	} finally {
		inference.mockRestore();
	}
}

const megabytes = (n: number) => n * 1024 * 1024;

describe('image-embedding cache in embedImages', () => {
	test('a second run of the same images decodes nothing and runs no inference', async () => {
		const cache = new ImageEmbeddingCache(megabytes(1));
		const first = await countedEmbed(model, images, cache);
		expect(first).toMatchObject({ decoded: images.length, inferences: 3 });
		const second = await countedEmbed(model, images, cache);
		expect(second).toMatchObject({ decoded: 0, inferences: 0 });
		expect(cache.hits).toBe(images.length);
	});

	test('gives bit for bit the embeddings computed without it, on a miss and on a hit', async () => {
		const cache = new ImageEmbeddingCache(megabytes(1));
		const without = await countedEmbed(model, images);
		const miss = await countedEmbed(model, images, cache);
		const hit = await countedEmbed(model, images, cache);
		expect(miss.embeddings).toEqual(without.embeddings);
		expect(hit.embeddings).toEqual(without.embeddings);
	});

	test('classifications from cached embeddings are the uncached ones', async () => {
		const cache = new ImageEmbeddingCache(megabytes(1));
		const requests = images.map((image) => ({ image, classes: ['cat', 'dog', 'car'] }));
		const without = await classifyImages(model, requests);
		await classifyImages(model, requests, { cache });
		expect(await classifyImages(model, requests, { cache })).toEqual(without);
	});

	test('keys on the content, not the input: the same bytes from a loader hit', async () => {
		const cache = new ImageEmbeddingCache(megabytes(1));
		await countedEmbed(model, [images[0]], cache);
		const again = await countedEmbed(model, [async () => Buffer.from(images[0])], cache);
		expect(again).toMatchObject({ decoded: 0, inferences: 0 });
	});

	test('only the new images of a run are decoded and inferred, in their slots', async () => {
		const cache = new ImageEmbeddingCache(megabytes(1));
		const reference = await countedEmbed(model, images);
		await countedEmbed(model, [images[1], images[3]], cache);
		const mixed = await countedEmbed(model, images, cache);
		expect(mixed.decoded).toBe(3);
		expect(mixed.embeddings).toEqual(reference.embeddings);
	});

	test('another model misses', async () => {
		const other = await ClipModel.load(testModelPaths().immich.dir);
		try {
			const cache = new ImageEmbeddingCache(megabytes(1));
			await countedEmbed(model, images.slice(0, 2), cache);
			const run = await countedEmbed(other, images.slice(0, 2), cache);
			expect(run.decoded).toBe(2);
			expect(cache.hits).toBe(0);
		} finally {
			await other.release();
		}
	});

	test('another resampling or pixel limit misses', async () => {
		const cache = new ImageEmbeddingCache(megabytes(1));
		await embedImages(model, [images[0]], { cache, resampling: 'accurate' });
		await embedImages(model, [images[0]], { cache, resampling: 'fast' });
		await embedImages(model, [images[0]], { cache, resampling: 'accurate', maxPixels: 1_000_000 });
		expect(cache.hits).toBe(0);
		expect(cache.size).toBe(3);
	});

	test('an image refused under a lower pixel limit is refused even when cached under a higher one', async () => {
		const cache = new ImageEmbeddingCache(megabytes(1));
		await embedImages(model, [images[0]], { cache });
		const [refused] = await embedImages(model, [images[0]], { cache, maxPixels: 16 });
		expect(refused).toBeInstanceOf(Error);
	});

	test('sits above the backend: a WebAssembly model caches its own embeddings and hits them', async () => {
		const wasm = await ClipModel.load(testModelPaths().hf.dir, { runtime: { intraOpThreads: 1, backend: 'wasm' } });
		try {
			const cache = new ImageEmbeddingCache(megabytes(1));
			await countedEmbed(model, images.slice(0, 2), cache);
			const first = await countedEmbed(wasm, images.slice(0, 2), cache);
			const second = await countedEmbed(wasm, images.slice(0, 2), cache);
			expect(first.decoded).toBe(2);
			expect(second).toMatchObject({ decoded: 0, inferences: 0 });
			expect(second.embeddings).toEqual(first.embeddings);
		} finally {
			await wasm.release();
		}
	});
});

describe('ImageEmbeddingCache', () => {
	const vector = (value: number) => new Float32Array(256).fill(value);
	/** The bytes one entry of a 256-float vector under a one-character key costs. */
	const entry = (() => {
		const probe = new ImageEmbeddingCache(megabytes(1));
		probe.set('a', vector(0));
		return probe.bytes;
	})();

	test('evicts the least recently used entries once their bytes exceed its size', () => {
		const cache = new ImageEmbeddingCache(2 * entry);
		cache.set('a', vector(1));
		cache.set('b', vector(2));
		cache.get('a');
		cache.set('c', vector(3));
		expect(cache.get('b')).toBeUndefined();
		expect(cache.get('a')?.[0]).toBe(1);
		expect(cache.get('c')?.[0]).toBe(3);
		expect(cache.bytes).toBe(2 * entry);
	});

	test('an entry counts its floats: one twice as long evicts the two oldest to make room', () => {
		const cache = new ImageEmbeddingCache(3 * entry);
		['a', 'b', 'c'].forEach((key, i) => cache.set(key, vector(i)));
		cache.set('d', new Float32Array(512));
		expect(cache.size).toBe(2);
		expect([cache.get('a'), cache.get('b')]).toEqual([undefined, undefined]);
		expect(cache.get('c')).toBeDefined();
	});

	test('an embedding larger than the whole cache is not kept, and evicts nothing', () => {
		const cache = new ImageEmbeddingCache(2 * entry);
		cache.set('a', vector(1));
		cache.set('big', new Float32Array(1024));
		expect(cache.get('big')).toBeUndefined();
		expect(cache.get('a')).toBeDefined();
	});

	test('shrinking evicts what no longer fits', () => {
		const cache = new ImageEmbeddingCache(3 * entry);
		['a', 'b', 'c'].forEach((key, i) => cache.set(key, vector(i)));
		cache.resize(entry);
		expect(cache.size).toBe(1);
		expect(cache.get('c')?.[0]).toBe(2);
	});

	test('at size 0 keeps nothing', () => {
		const cache = new ImageEmbeddingCache(0);
		cache.set('a', vector(1));
		expect(cache.size).toBe(0);
		expect(cache.get('a')).toBeUndefined();
	});

	test('hands out copies: changing one does not change the cached embedding', () => {
		const cache = new ImageEmbeddingCache(megabytes(1));
		const stored = vector(1);
		cache.set('a', stored);
		stored[0] = 9;
		(cache.get('a') as Float32Array)[0] = 7;
		expect(cache.get('a')?.[0]).toBe(1);
	});

	test('keys differ by model instance, preprocessing and content', () => {
		const a = {};
		const b = {};
		const image = Buffer.from('image bytes');
		expect(imageEmbeddingKey(a, 'accurate', image)).toBe(imageEmbeddingKey(a, 'accurate', Buffer.from('image bytes')));
		expect(imageEmbeddingKey(a, 'accurate', image)).not.toBe(imageEmbeddingKey(b, 'accurate', image));
		expect(imageEmbeddingKey(a, 'accurate', image)).not.toBe(imageEmbeddingKey(a, 'fast', image));
		expect(imageEmbeddingKey(a, 'accurate', image)).not.toBe(imageEmbeddingKey(a, 'accurate', Buffer.from('image bytez')));
	});
});

describe('N8N_ZSIC_IMAGE_CACHE_MB', () => {
	test('sizes the cache in MB, 0 included; unset, empty or invalid gives the 64 MB default', () => {
		expect(imageCacheMegabytesFromEnv({ N8N_ZSIC_IMAGE_CACHE_MB: '256' })).toBe(256);
		expect(imageCacheMegabytesFromEnv({ N8N_ZSIC_IMAGE_CACHE_MB: '0' })).toBe(0);
		expect(imageCacheMegabytesFromEnv({})).toBe(64);
		expect(imageCacheMegabytesFromEnv({ N8N_ZSIC_IMAGE_CACHE_MB: ' ' })).toBe(64);
		expect(imageCacheMegabytesFromEnv({ N8N_ZSIC_IMAGE_CACHE_MB: 'lots' })).toBe(64);
	});
});
