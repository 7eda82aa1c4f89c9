import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classifyImages, ClipModel, type Classification } from '../../engine';
import { generateTestModels } from '../fixtures/generateTestModels';
import { testImageSet } from '../fixtures/testImages';
import { testModelPaths } from '../fixtures/testModels';

const CLASSES = ['cat', 'dog', 'car', 'a group of people'];

function probabilitiesOf(results: Array<Classification | Error>): number[][] {
	return results.map((r) => {
		if (r instanceof Error) throw r;
		return r.probabilities;
	});
}

function maxDifference(a: number[][], b: number[][]): number {
	let worst = 0;
	a.forEach((row, i) => row.forEach((p, k) => (worst = Math.max(worst, Math.abs(p - b[i][k])))));
	return worst;
}

describe('ClipModel on the generated test models', () => {
	const paths = testModelPaths();
	let images: Buffer[];
	let hf: ClipModel;
	let immich: ClipModel;

	beforeAll(async () => {
		images = await testImageSet();
		hf = await ClipModel.load(paths.hf.dir);
		immich = await ClipModel.load(paths.immich.dir);
	});
	afterAll(async () => {
		await hf.release();
		await immich.release();
	});

	test('detects each layout and reads the preprocessing from the folder', () => {
		expect(hf.descriptor.layout).toBe('hf');
		expect(immich.descriptor.layout).toBe('immich');
		expect(hf.preprocess).toEqual(immich.preprocess);
		expect(hf.preprocess.size).toBe(224);
	});

	test('the same weights in both layouts give the same probabilities', async () => {
		const requests = images.map((image) => ({ image, classes: CLASSES }));
		const a = probabilitiesOf(await classifyImages(hf, requests));
		const b = probabilitiesOf(await classifyImages(immich, requests));
		expect(maxDifference(a, b)).toBeLessThan(1e-4);
	});

	test('probabilities are in class order, sum to one, and are neither uniform nor one-hot', async () => {
		const results = probabilitiesOf(await classifyImages(hf, images.map((image) => ({ image, classes: CLASSES }))));
		for (const p of results) {
			expect(p).toHaveLength(CLASSES.length);
			expect(p.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 9);
		}
		const spread = Math.max(...results.flat()) - Math.min(...results.flat());
		expect(spread).toBeGreaterThan(0.05);
	});

	test('a static batch-1 export runs image by image, a dynamic one in batches, with the same results', async () => {
		expect(immich.maxImageBatch).toBe(1);
		expect(hf.maxImageBatch).toBe(Number.POSITIVE_INFINITY);
		const requests = images.map((image) => ({ image, classes: CLASSES }));
		const batched = probabilitiesOf(await classifyImages(hf, requests, { batchSize: 16 }));
		const single = probabilitiesOf(await classifyImages(hf, requests, { batchSize: 1 }));
		expect(maxDifference(batched, single)).toBeLessThan(1e-5);
	});

	test('each request is scored against its own class list', async () => {
		const results = await classifyImages(hf, [
			{ image: images[0], classes: ['cat', 'dog'] },
			{ image: images[0], classes: ['dog', 'cat', 'car'] },
		]);
		const [first, second] = results as Classification[];
		expect(first.classes).toEqual(['cat', 'dog']);
		expect(second.classes).toEqual(['dog', 'cat', 'car']);
		// The cat/dog ratio depends only on the two logits, whatever else is in the list.
		expect(first.probabilities[0] / first.probabilities[1]).toBeCloseTo(second.probabilities[1] / second.probabilities[0], 6);
	});

	test('a class list already seen does no text inference at all', async () => {
		const classes = ['unseen-1', 'unseen-2', 'unseen-3'];
		await classifyImages(hf, [{ image: images[1], classes }]);
		const before = hf.textInferenceCount;
		await classifyImages(hf, [{ image: images[2], classes }]);
		expect(hf.textInferenceCount).toBe(before);
	});

	test('an unreadable image fails alone: the others are still classified', async () => {
		const results = await classifyImages(hf, [
			{ image: images[0], classes: CLASSES },
			{ image: Buffer.from('not an image'), classes: CLASSES },
			{ image: images[1], classes: CLASSES },
		]);
		expect(results[0]).not.toBeInstanceOf(Error);
		expect(results[1]).toBeInstanceOf(Error);
		expect((results[1] as Error).message).toContain('not a readable image');
		expect(results[2]).not.toBeInstanceOf(Error);
	});

	test('truncation keeps the end-of-text token so long prompts still embed', () => {
		const ids = hf.tokenize(Array.from({ length: 120 }, () => 'photo').join(' '));
		expect(ids).toHaveLength(77);
		expect(ids[76]).toBe(paths.manifest.clipTokenizer.endOfTextId);
		expect(ids[0]).toBe(paths.manifest.clipTokenizer.startOfTextId);
	});

	test('the logit scale option overrides the model’s', async () => {
		const [sharp] = (await classifyImages(hf, [{ image: images[3], classes: CLASSES }])) as Classification[];
		const [flat] = (await classifyImages(hf, [{ image: images[3], classes: CLASSES }], { logitScale: 1 })) as Classification[];
		expect(Math.max(...flat.probabilities) - Math.min(...flat.probabilities)).toBeLessThan(Math.max(...sharp.probabilities) - Math.min(...sharp.probabilities));
	});
});

describe('model variants and other folder shapes', () => {
	const paths = testModelPaths();
	let images: Buffer[];
	let reference: number[][];
	const requests = () => images.map((image) => ({ image, classes: CLASSES }));

	beforeAll(async () => {
		images = await testImageSet();
		const model = await ClipModel.load(paths.hf.dir);
		reference = probabilitiesOf(await classifyImages(model, requests()));
		await model.release();
	});

	test.each([
		['fp16', 0.05],
		['quantized', 0.15],
		['q8', 0.15],
	])('the %s variant runs and stays close to fp32', async (variant, bound) => {
		const model = await ClipModel.load(paths.hf.dir, { variant });
		try {
			expect(maxDifference(probabilitiesOf(await classifyImages(model, requests())), reference)).toBeLessThan(bound);
		} finally {
			await model.release();
		}
	});

	test('an absent variant is refused, listing the variants present', async () => {
		await expect(ClipModel.load(paths.hf.dir, { variant: 'int4' })).rejects.toThrow(/vision_model_int4\.onnx: is missing/);
		await expect(ClipModel.load(paths.hf.dir, { variant: 'int4' })).rejects.toMatchObject({ hint: expect.stringContaining('fp16, fp32, q8') });
	});

	test('a folder with only the combined graph works and takes its logit scale from the graph', async () => {
		const folder = mkdtempSync(join(tmpdir(), 'zsic-combined-'));
		try {
			for (const f of ['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json']) symlinkSync(join(paths.hf.dir, f), join(folder, f));
			mkdirSync(join(folder, 'onnx'));
			symlinkSync(paths.hf.combinedModel, join(folder, 'onnx', 'model.onnx'));
			const model = await ClipModel.load(folder, { logitScale: 7 });
			expect(model.descriptor.towers.kind).toBe('combined');
			expect(model.logitScale).toBeCloseTo(Math.exp(paths.manifest.logitScale), 3);
			expect(maxDifference(probabilitiesOf(await classifyImages(model, requests())), reference)).toBeLessThan(1e-4);
			await model.release();
		} finally {
			rmSync(folder, { recursive: true, force: true });
		}
	});

	test('weights in an external-data file beside model.onnx load by path', async () => {
		const folder = mkdtempSync(join(tmpdir(), 'zsic-external-'));
		try {
			const generated = await generateTestModels(folder, { immichVisualExternalData: true, layouts: ['immich'] });
			const immichPaths = generated.immich as NonNullable<typeof generated.immich>;
			expect(statSync(immichPaths.visualModelData).size).toBeGreaterThan(statSync(immichPaths.visualModel).size);
			const model = await ClipModel.load(immichPaths.dir);
			expect(maxDifference(probabilitiesOf(await classifyImages(model, requests())), reference)).toBeLessThan(1e-4);
			await model.release();
		} finally {
			rmSync(folder, { recursive: true, force: true });
		}
	});
});
