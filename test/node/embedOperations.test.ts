/** Embed Image and Embed Text, run inside n8n's own workflow engine. */
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { ClipModel, embedImages, sharedModelRegistry } from '../../engine';
import { ZeroShotImageClassification } from '../../nodes/ZeroShotImageClassification/ZeroShotImageClassification.node';
import { testImage, type TestImageKind } from '../fixtures/testImages';
import { testModelPaths } from '../fixtures/testModels';
import { runNodeInWorkflow, type HarnessItem } from '../n8nHarness/runNodeInWorkflow';

const MODEL = testModelPaths().hf.dir;

async function imageItem(kind: TestImageKind, json: IDataObject = {}): Promise<HarnessItem> {
	return { json: { kind, ...json }, binary: { data: { data: await testImage(kind, 'png'), mimeType: 'image/png' } } };
}

function run(items: HarnessItem[], extra: INodeParameters, continueOnFail = false) {
	return runNodeInWorkflow({ nodeType: new ZeroShotImageClassification(), parameters: { model: 'custom', customModel: MODEL, ...extra }, items, continueOnFail });
}

let model: ClipModel;
beforeAll(async () => {
	model = await ClipModel.load(MODEL);
});
afterAll(async () => {
	await model.release();
	sharedModelRegistry.clear();
});

const norm = (v: number[]) => Math.hypot(...v);

describe('Embed Image', () => {
	test('puts the normalized image embedding, the model and the dimension on each item', async () => {
		const items = [await imageItem('stripes'), await imageItem('blobs')];
		const result = await run(items, { operation: 'embedImage' });
		expect(result.error).toBeUndefined();
		const reference = (await embedImages(model, items.map((i) => i.binary?.data.data as Buffer))) as Float32Array[];
		result.items.forEach((item, i) => {
			const embedding = item.json.embedding as number[];
			expect(item.json).toMatchObject({ kind: items[i].json.kind, model: MODEL, dimension: reference[i].length });
			expect(embedding).toHaveLength(reference[i].length);
			embedding.forEach((v, k) => expect(v).toBeCloseTo(reference[i][k], 6));
			expect(norm(embedding)).toBeCloseTo(1, 5);
			expect(item.pairedItem).toEqual({ item: i });
			expect(item.json.probabilities).toBeUndefined();
		});
	});

	test('with continue-on-fail, a corrupt image carries its error and the others are embedded', async () => {
		const corrupt: HarnessItem = { json: { kind: 'bad' }, binary: { data: { data: Buffer.from('garbage'), mimeType: 'image/png' } } };
		const result = await run([corrupt, await imageItem('checker')], { operation: 'embedImage' }, true);
		expect(result.items[0].json.error).toContain('Item 0: not a readable image');
		expect(result.items[1].json.embedding).toBeDefined();
	});
});

describe('Embed Text', () => {
	test('embeds each item’s text as the text tower does, in the images’ space', async () => {
		const items: HarnessItem[] = [{ json: { q: 'a red bicycle' } }, { json: { q: 'a cat on a sofa' } }];
		const result = await run(items, { operation: 'embedText', text: '={{ $json.q }}' });
		expect(result.error).toBeUndefined();
		const reference = await model.embedPrompts(['a red bicycle', 'a cat on a sofa']);
		result.items.forEach((item, i) => {
			(item.json.embedding as number[]).forEach((v, k) => expect(v).toBeCloseTo(reference[i][k], 6));
			expect(item.json.dimension).toBe(reference[i].length);
			expect(item.pairedItem).toEqual({ item: i });
		});
	});

	test('an optional template wraps the text, as Classify does with class names', async () => {
		const result = await run([{ json: {} }], { operation: 'embedText', text: 'cat', textTemplate: 'a photo of a {}.' });
		const [reference] = await model.embedPrompts(['a photo of a cat.']);
		(result.items[0].json.embedding as number[]).forEach((v, k) => expect(v).toBeCloseTo(reference[k], 6));
	});

	test('an empty text fails its item, naming it', async () => {
		const result = await run([{ json: { q: 'ok' } }, { json: { q: '  ' } }], { operation: 'embedText', text: '={{ $json.q }}' }, true);
		expect(result.items[0].json.embedding).toBeDefined();
		expect(result.items[1].json.error).toBe('Item 1: the text to embed is empty');
	});

	test('a list of texts gives the list of their embeddings, in order (the batched form)', async () => {
		const result = await run([{ json: { q: ['a red bicycle', 'a cat on a sofa'] } }], { operation: 'embedText', text: '={{ $json.q }}' });
		expect(result.error).toBeUndefined();
		const reference = await model.embedPrompts(['a red bicycle', 'a cat on a sofa']);
		const embeddings = result.items[0].json.embedding as number[][];
		expect(embeddings).toHaveLength(2);
		embeddings.forEach((embedding, i) => embedding.forEach((v, k) => expect(v).toBeCloseTo(reference[i][k], 6)));
		expect(result.items[0].json.dimension).toBe(reference[0].length);
	});

	test('a bad entry of a list fails its item, naming the entry', async () => {
		const result = await run([{ json: { q: ['fine', 42, ' '] } }, { json: { q: [] } }], { operation: 'embedText', text: '={{ $json.q }}' }, true);
		expect(result.items[0].json.error).toBe('Item 0: text 3 of 3: the text to embed is empty');
		expect(result.items[1].json.error).toBe('Item 1: the list of texts to embed is empty');
	});
});
