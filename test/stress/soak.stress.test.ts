/**
 * Soak: 20,000 items through the engine (generated images, some of them broken; class lists
 * that keep changing, with a small text cache) on one loaded model. Resident memory stays flat
 * after warm-up (the curve is printed), no file handles leak, and the text cache never grows
 * past its limit.
 */
import { readdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { classifyImages, ClipModel, type ClassificationRequest } from '../../engine';
import { testModelPaths } from '../fixtures/testModels';
import { encode, patternPixels, randomBytes } from '../reliability/hostileImages';

const TOTAL_ITEMS = 20_000;
const ITEMS_PER_EXECUTION = 100;
const TEXT_CACHE_LIMIT = 48;
/** Memory is compared from this point on: the allocator, caches and JIT have settled by then. */
const WARM_UP_ITEMS = 2_000;
const SAMPLE_EVERY_ITEMS = 1_000;
/**
 * RSS at the end may exceed RSS after warm-up by at most this fraction. Both are medians of five
 * samples (2,000-6,000 items, and the last 5,000): a single reading swings by tens of MB when the
 * allocator happens to return memory to the system just then.
 */
const MAX_RSS_DRIFT = 0.15;
const WINDOW = 5;

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface Sample {
	items: number;
	rssMb: number;
	heapMb: number;
	externalMb: number;
	fds: number;
	textCache: number;
}

function openFileHandles(): number {
	return readdirSync('/proc/self/fd').length;
}

function sample(items: number, model: ClipModel): Sample {
	gc();
	gc();
	const memory = process.memoryUsage();
	return {
		items,
		rssMb: memory.rss / 2 ** 20,
		heapMb: memory.heapUsed / 2 ** 20,
		externalMb: (memory.external + memory.arrayBuffers) / 2 ** 20,
		fds: openFileHandles(),
		textCache: model.textCacheSize,
	};
}

const WORDS = ['cat', 'dog', 'car', 'tree', 'house', 'boat', 'bird', 'flower', 'person', 'bicycle', 'mountain', 'beach', 'city', 'forest', 'food', 'book', 'phone', 'lamp', 'chair', 'cloud'];

describe('soak', () => {
	test(`${TOTAL_ITEMS.toLocaleString('en')} items through the engine: flat memory, no leaked handles, bounded text cache`, async () => {
		const model = await ClipModel.load(testModelPaths().hf.dir, { textCacheEntries: TEXT_CACHE_LIMIT });
		try {
			// 240 distinct small images in three formats, and 12 broken files among them.
			const pool: Array<{ bytes: Buffer; good: boolean }> = [];
			for (let i = 0; i < 240; i++) {
				const image = encode(patternPixels(40 + ((i * 37) % 200), 30 + ((i * 53) % 150), i));
				const bytes = await (i % 3 === 0 ? image.png() : i % 3 === 1 ? image.jpeg({ quality: 80 }) : image.webp({ quality: 80 })).toBuffer();
				pool.push({ bytes, good: true });
			}
			for (let i = 0; i < 12; i++) {
				pool.splice(i * 20 + 7, 0, { bytes: i % 2 === 0 ? randomBytes(700, i) : pool[i].bytes.subarray(0, pool[i].bytes.length >> 1), good: false });
			}

			const samples: Sample[] = [sample(0, model)];
			let items = 0;
			let classified = 0;
			let failed = 0;
			let maxTextCache = 0;
			const started = Date.now();
			for (let execution = 0; items < TOTAL_ITEMS; execution++) {
				// Each execution has its own class lists (several per execution): the text cache keeps churning.
				const lists = [0, 1, 2].map((l) => Array.from({ length: 3 + ((execution + l) % 4) }, (_, c) => `${WORDS[(execution * 3 + l * 7 + c) % WORDS.length]} number ${(execution * 5 + c) % 41}`));
				const requests: ClassificationRequest[] = [];
				const expectGood: boolean[] = [];
				for (let i = 0; i < ITEMS_PER_EXECUTION; i++) {
					const entry = pool[(items + i) % pool.length];
					requests.push({ image: i % 2 === 0 ? entry.bytes : async () => entry.bytes, classes: lists[i % lists.length] });
					expectGood.push(entry.good);
				}
				const results = await classifyImages(model, requests, { batchSize: 16 });
				results.forEach((result, i) => {
					if (result instanceof Error) {
						failed++;
						if (expectGood[i]) throw new Error(`a good image failed: ${result.message}`);
					} else {
						classified++;
						if (!expectGood[i]) throw new Error('a broken image was classified');
					}
				});
				items += ITEMS_PER_EXECUTION;
				maxTextCache = Math.max(maxTextCache, model.textCacheSize);
				if (items % SAMPLE_EVERY_ITEMS === 0) samples.push(sample(items, model));
			}
			const seconds = (Date.now() - started) / 1000;

			const afterWarmUp = samples.filter((s) => s.items >= WARM_UP_ITEMS);
			const warmWindow = afterWarmUp.slice(0, WINDOW);
			const endWindow = samples.slice(-WINDOW);
			const warmRss = median(warmWindow.map((s) => s.rssMb));
			const endRss = median(endWindow.map((s) => s.rssMb));
			const drift = endRss / warmRss - 1;
			const peak = Math.max(...afterWarmUp.map((s) => s.rssMb));
			const warm = warmWindow[0];
			const end = samples[samples.length - 1];
			process.stdout.write(
				`\n[soak] ${items} items (${classified} classified, ${failed} per-item errors) in ${seconds.toFixed(1)} s, text cache limit ${TEXT_CACHE_LIMIT} (max seen ${maxTextCache})\n` +
					`[soak] ${'items'.padStart(6)} ${'rss MB'.padStart(8)} ${'heap MB'.padStart(8)} ${'ext MB'.padStart(8)} ${'fds'.padStart(5)} ${'cache'.padStart(6)}\n` +
					samples.map((s) => `[soak] ${String(s.items).padStart(6)} ${s.rssMb.toFixed(1).padStart(8)} ${s.heapMb.toFixed(1).padStart(8)} ${s.externalMb.toFixed(1).padStart(8)} ${String(s.fds).padStart(5)} ${String(s.textCache).padStart(6)}`).join('\n') +
					`\n[soak] RSS drift after warm-up: ${(drift * 100).toFixed(1)}% (median ${warmRss.toFixed(1)} MB at ${warmWindow[0].items}-${warmWindow[warmWindow.length - 1].items} items -> ` +
					`median ${endRss.toFixed(1)} MB at ${endWindow[0].items}-${end.items} items; peak ${peak.toFixed(1)} MB); open files ${warm.fds} -> ${end.fds}\n`,
			);

			expect(items).toBeGreaterThanOrEqual(TOTAL_ITEMS);
			expect(failed).toBeGreaterThan(0);
			expect(maxTextCache).toBeLessThanOrEqual(TEXT_CACHE_LIMIT);
			expect(samples.every((s) => s.textCache <= TEXT_CACHE_LIMIT)).toBe(true);
			expect(drift).toBeLessThanOrEqual(MAX_RSS_DRIFT);
			expect(Math.max(...afterWarmUp.map((s) => s.fds))).toBeLessThanOrEqual(warm.fds);
			// The JavaScript heap does not creep either (a leak of per-item objects would show here first).
			expect(median(endWindow.map((s) => s.heapMb))).toBeLessThanOrEqual(median(warmWindow.map((s) => s.heapMb)) * 1.15 + 2);
		} finally {
			await model.release();
		}
	});
});
