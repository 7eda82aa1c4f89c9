import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedImageEmbeddingCache, sharedModelRegistry } from '../engine';
import { benchCacheDir, RESULTS_DIR } from './benchPaths';
import { benchImages } from './fixtures/benchImages';
import { benchModel } from './fixtures/benchModels';
import { machineInfo } from './machineInfo';
import { median } from './report/stats';
import { nodeParameters } from './scenarios/executeContext';
import { classNames, nowMs, rate } from './scenarios/measure';
import { benchItems, executeNode } from './scenarios/nodeThroughput';

/**
 * `npm run bench:cache`: Classify (the node's execute, images read from disk as n8n's filesystem
 * mode does) on a repeated set of images, with the image-embedding cache off (Image Cache (MB) 0:
 * every run decodes and infers) and on (the default 64 MB, filled by a first run: later runs hash
 * the bytes and score). Passes interleaved, so drift on a shared machine hits both alike; the
 * median pass of each, and their ratio. Writes bench/results/image-cache.md.
 */

const ITEMS = 32;
const PASSES = 5;

async function main(): Promise<void> {
	const log = (message: string): void => void process.stdout.write(`${message}\n`);
	const cacheDir = benchCacheDir();
	const model = await benchModel(cacheDir, 'vit-b-32', log);
	const files = await benchImages(cacheDir, 'photo-1mp', log);
	const items = benchItems(files.slice(0, ITEMS), ITEMS);
	const classes = classNames(10);
	const off = nodeParameters(model.hf.dir, classes, { imageCacheMb: 0 });
	const on = nodeParameters(model.hf.dir, classes, { imageCacheMb: 64 });

	sharedImageEmbeddingCache.clear();
	await executeNode(items.slice(0, 1), off); // model load and the class embeddings
	const filled = nowMs();
	const reference = await executeNode(items, on); // the first run with the cache: every image a miss
	const firstRunMs = nowMs() - filled;

	const uncached: number[] = [];
	const cached: number[] = [];
	for (let pass = 0; pass < PASSES; pass++) {
		let t = nowMs();
		const plain = await executeNode(items, off);
		uncached.push(rate(ITEMS, nowMs() - t));
		t = nowMs();
		const hit = await executeNode(items, on);
		cached.push(rate(ITEMS, nowMs() - t));
		// The cache must not change a single score.
		const same = hit.every((item, i) => JSON.stringify(item.json.probabilities) === JSON.stringify(plain[i].json.probabilities) && JSON.stringify(item.json.probabilities) === JSON.stringify(reference[i].json.probabilities));
		if (!same) throw new Error('the cached run gave other probabilities than the uncached one');
		log(`pass ${pass + 1}: cache off ${uncached[pass].toFixed(1)} img/s, cache on ${cached[pass].toFixed(1)} img/s`);
	}
	const offRate = median(uncached);
	const onRate = median(cached);
	const ratio = onRate / offRate;
	const { hits, misses, bytes, size } = sharedImageEmbeddingCache;
	await sharedModelRegistry.clear();

	const machine = machineInfo();
	const lines = [
		'# Image-embedding cache (Classify, repeated set)',
		'',
		`${new Date().toISOString()} · ${Object.entries(machine).map(([k, v]) => `${k} ${v}`).join(' · ')}`,
		'',
		`Classify with the ViT-B/32-sized bench model (random weights), ${ITEMS} JPEGs of about 1 MP (photo-1mp), 10 classes, default batch size and resampling; images read from disk each run. Median of ${PASSES} interleaved passes.`,
		'',
		'| run | img/s (median) | passes |',
		'| --- | ---: | --- |',
		`| cache off (Image Cache (MB) 0) | ${offRate.toFixed(1)} | ${uncached.map((v) => v.toFixed(1)).join(', ')} |`,
		`| first run with the cache (all misses) | ${rate(ITEMS, firstRunMs).toFixed(1)} | 1 |`,
		`| cache on, repeated set (all hits) | ${onRate.toFixed(1)} | ${cached.map((v) => v.toFixed(1)).join(', ')} |`,
		'',
		`**Cache on / off: ${ratio.toFixed(1)}×.** Probabilities identical with and without the cache (checked every pass). Cache after the run: ${size} entries, ${(bytes / 1024).toFixed(0)} kB, ${hits} hits, ${misses} misses.`,
		'',
	];
	writeFileSync(join(RESULTS_DIR, 'image-cache.md'), lines.join('\n'));
	log(lines.join('\n'));
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exitCode = 1;
});
