import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { classifyImages, classifyImagesByExamples, ClipModel, folderExampleClasses, type Classification } from '../engine';
import { basePictures, fewShotTask, QUERIES_PER_CLASS, reuploadVariant } from '../test/fixtures/fewShotTask';
import { seededRandom } from '../test/fixtures/seededRandom';
import { benchCacheDir, CONFORMANCE_IMAGES } from './benchPaths';
import { benchModel } from './fixtures/benchModels';

/**
 * `npm run bench:examples`: classes from example images on the ViT-B/32-sized bench model.
 * 1. The few-shot task (as test/engine/fewShotExamples.test.ts, on the larger model): accuracy of
 *    classes from examples and of text prompts.
 * 2. An examples folder of 500 images (re-upload variants of the task's base pictures): the first
 *    run embeds every example (img/s, the Embed Image path), the second finds all in the disk
 *    cache, a third after adding one file embeds only it.
 */
const FOLDER_IMAGES = 500;
const log = (message: string): void => void process.stdout.write(`${message}\n`);

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
	const start = performance.now();
	const value = await work();
	return { value, seconds: (performance.now() - start) / 1000 };
}

function accuracy(results: Array<Classification | Error>, expected: readonly string[]): number {
	return results.filter((r, i) => !(r instanceof Error) && r.label === expected[i]).length / expected.length;
}

async function main(): Promise<void> {
	const vitB32 = await benchModel(benchCacheDir(), 'vit-b-32', log);
	const model = await ClipModel.load(vitB32.hf.dir);
	const scratch = await mkdtemp(join(tmpdir(), 'zsic-bench-examples-'));
	try {
		const task = await fewShotTask(21, CONFORMANCE_IMAGES);
		const fewShot = join(scratch, 'few-shot');
		for (const c of task) {
			await mkdir(join(fewShot, c.label), { recursive: true });
			await Promise.all(c.examples.map((bytes, k) => writeFile(join(fewShot, c.label, `${k + 1}.jpg`), bytes)));
		}
		const queries = task.flatMap((c) => c.queries);
		const expected = task.flatMap((c) => Array<string>(QUERIES_PER_CLASS).fill(c.label));
		const { classes } = await folderExampleClasses(model, fewShot, { cacheExamples: false });
		const fromExamples = accuracy(await classifyImagesByExamples(model, queries, classes), expected);
		const fromText = accuracy(await classifyImages(model, queries.map((image) => ({ image, classes: classes.labels }))), expected);
		log(`few-shot task on ViT-B/32 (random weights), ${task.length} classes × ${QUERIES_PER_CLASS} queries: classes from examples ${(100 * fromExamples).toFixed(1)} %, text prompts ${(100 * fromText).toFixed(1)} % (chance ${(100 / task.length).toFixed(1)} %); scale ${classes.scale.toFixed(1)}`);

		const folder = join(scratch, 'examples');
		const cacheDir = join(scratch, 'models');
		const bases = await basePictures(CONFORMANCE_IMAGES);
		const random = seededRandom(500);
		for (let k = 0; k < FOLDER_IMAGES; k++) {
			const base = bases[k % bases.length];
			await mkdir(join(folder, base.label), { recursive: true });
			await writeFile(join(folder, base.label, `${k}.jpg`), await reuploadVariant(base.image, random));
		}
		const options = { cacheDir };
		const first = await timed(() => folderExampleClasses(model, folder, options));
		log(`examples folder of ${FOLDER_IMAGES} images, first run: ${first.value.embedded} embedded in ${first.seconds.toFixed(2)} s (${(first.value.embedded / first.seconds).toFixed(1)} img/s)`);
		const second = await timed(() => folderExampleClasses(model, folder, options));
		log(`second run: ${second.value.embedded} embedded, ${second.value.fromCache} from the cache, ${second.seconds.toFixed(3)} s (${(first.seconds / second.seconds).toFixed(0)}× faster)`);
		await writeFile(join(folder, bases[0].label, 'added.jpg'), await reuploadVariant(bases[0].image, random));
		const third = await timed(() => folderExampleClasses(model, folder, options));
		log(`one file added: ${third.value.embedded} embedded, ${third.value.fromCache} from the cache, ${third.seconds.toFixed(3)} s`);
	} finally {
		await model.release();
		await rm(scratch, { recursive: true, force: true });
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exitCode = 1;
});
