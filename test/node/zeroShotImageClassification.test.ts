/**
 * The node, run inside n8n's own workflow engine (n8n-core's WorkflowExecute, in-process):
 * real parameter resolution with expressions, real binary data handling, continueOnFail and
 * pairedItem as n8n applies them.
 */
import { NodeOperationError, type IDataObject, type INodeParameters } from 'n8n-workflow';
import { classifyImages, ClipModel, sharedModelRegistry, type Classification } from '../../engine';
import { ZeroShotImageClassification } from '../../nodes/ZeroShotImageClassification/ZeroShotImageClassification.node';
import { testImage } from '../fixtures/testImages';
import { testModelPaths } from '../fixtures/testModels';
import { runNodeInWorkflow, type HarnessItem } from '../n8nHarness/runNodeInWorkflow';

const MODEL = testModelPaths().hf.dir;

function parameters(extra: INodeParameters = {}): INodeParameters {
	return { model: 'custom', customModel: MODEL, classes: 'cat, dog, car', ...extra };
}

async function imageItem(kind: Parameters<typeof testImage>[0], json: IDataObject = {}, property = 'data'): Promise<HarnessItem> {
	return { json, binary: { [property]: { data: await testImage(kind, 'png'), mimeType: 'image/png', fileName: `${kind}.png` } } };
}

async function run(items: HarnessItem[], extra: INodeParameters = {}, continueOnFail = false) {
	return runNodeInWorkflow({ nodeType: new ZeroShotImageClassification(), parameters: parameters(extra), items, continueOnFail });
}

async function expected(images: Buffer[], classes: string[]): Promise<Classification[]> {
	const model = await ClipModel.load(MODEL);
	try {
		return (await classifyImages(model, images.map((image) => ({ image, classes })))) as Classification[];
	} finally {
		await model.release();
	}
}

afterAll(() => sharedModelRegistry.clear());

describe('Zero-Shot Image Classification node in n8n', () => {
	test('writes probabilities, classes, label and score on every item, keeping its JSON and binary', async () => {
		const items = [await imageItem('stripes', { id: 1 }), await imageItem('blobs', { id: 2 })];
		const result = await run(items);
		expect(result.error).toBeUndefined();
		const reference = await expected(
			items.map((i) => i.binary?.data.data as Buffer),
			['cat', 'dog', 'car'],
		);
		result.items.forEach((item, i) => {
			expect(item.json).toMatchObject({ id: i + 1, classes: ['cat', 'dog', 'car'], label: reference[i].label });
			(item.json.probabilities as number[]).forEach((p, k) => expect(p).toBeCloseTo(reference[i].probabilities[k], 9));
			expect(item.json.score).toBeCloseTo(reference[i].score, 9);
			expect(item.pairedItem).toEqual({ item: i });
		});
		expect(result.binaries[0].data).toEqual(items[0].binary?.data.data);
	});

	test('class lists may differ per item (expression returning an array)', async () => {
		const items = [await imageItem('stripes', { classes: ['cat', 'dog'] }), await imageItem('stripes', { classes: ['car', 'plane', 'boat'] })];
		const result = await run(items, { classes: '={{ $json.classes }}' });
		expect(result.error).toBeUndefined();
		expect(result.items.map((i) => i.json.classes)).toEqual([
			['cat', 'dog'],
			['car', 'plane', 'boat'],
		]);
		expect((result.items[1].json.probabilities as number[]).length).toBe(3);
	});

	test('results can go under an output field, with the top K classes', async () => {
		const result = await run([await imageItem('checker', { keep: true })], { options: { outputField: 'clip', topK: 2 } });
		const json = result.items[0].json as { keep: boolean; clip: { label: string; top: Array<{ label: string; score: number }> } };
		expect(json.keep).toBe(true);
		expect(json.clip.top).toHaveLength(2);
		expect(json.clip.top[0].label).toBe(json.clip.label);
		expect(json.clip.top[0].score).toBeGreaterThanOrEqual(json.clip.top[1].score);
	});

	test('reads images from another binary property when told', async () => {
		const result = await run([await imageItem('gradient', {}, 'photo')], { binaryPropertyName: 'photo' });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.label).toBeDefined();
	});

	test('accepts a data URL, or a list of them (the batched form), from a JSON field', async () => {
		const a = `data:image/png;base64,${(await testImage('stripes')).toString('base64')}`;
		const b = (await testImage('blobs', 'jpeg')).toString('base64');
		const result = await run([{ json: { body: { image: a } } }, { json: { body: { image: [a, b] } } }], { imageSource: 'json', imageField: 'body.image' });
		expect(result.error).toBeUndefined();
		expect((result.items[0].json.probabilities as number[]).length).toBe(3);
		expect(result.items[1].json.probabilities as number[][]).toHaveLength(2);
		expect(result.items[1].json.label as string[]).toHaveLength(2);
	});

	test('a malformed data URL fails with a message naming the item', async () => {
		const result = await run([{ json: { image: 'data:image/png,not-base64' } }], { imageSource: 'json' });
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect(result.error?.message).toBe('Item 0: malformed data URL: expected data:<mime type>;base64,<data>');
	});

	test('a missing binary property stops the execution with an error naming the item', async () => {
		const result = await run([await imageItem('stripes'), { json: {} }]);
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect((result.error as NodeOperationError).context.itemIndex).toBe(1);
		expect(result.error?.message).toContain('data');
	});

	test('a non-image binary (by MIME type) is refused with an actionable message', async () => {
		const pdf: HarnessItem = { json: {}, binary: { data: { data: Buffer.from('%PDF-1.4'), mimeType: 'application/pdf', fileName: 'doc.pdf' } } };
		const result = await run([pdf]);
		expect(result.error?.message).toBe('Item 0: binary field "data" holds application/pdf (doc.pdf), not an image');
	});

	test('an empty class list fails the item, naming it', async () => {
		const result = await run([await imageItem('stripes', { classes: ' , ' })], { classes: '={{ $json.classes }}' });
		expect(result.error?.message).toBe('Item 0: the class list is empty');
		expect((result.error as NodeOperationError).description).toContain('at least one class');
	});

	test('with continue-on-fail, a corrupt image carries its error and every other item is classified', async () => {
		const corrupt: HarnessItem = { json: { id: 'bad' }, binary: { data: { data: Buffer.from('garbage bytes'), mimeType: 'image/jpeg', fileName: 'bad.jpg' } } };
		const items = [await imageItem('stripes', { id: 'a' }), corrupt, await imageItem('blobs', { id: 'c' })];
		const result = await run(items, {}, true);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(3);
		expect(result.items[0].json.label).toBeDefined();
		expect(result.items[1].json).toMatchObject({ id: 'bad', error: expect.stringContaining('Item 1: not a readable image') });
		expect(result.items[2].json.label).toBeDefined();
		expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	test('without continue-on-fail, a corrupt image stops the execution, naming the item', async () => {
		const corrupt: HarnessItem = { json: {}, binary: { data: { data: Buffer.from('garbage'), mimeType: 'image/png' } } };
		const result = await run([await imageItem('stripes'), corrupt]);
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect((result.error as NodeOperationError).context.itemIndex).toBe(1);
		expect(result.error?.message).toContain('Item 1: not a readable image');
	});

	test('a workflow saved with the earlier resampling name "exact" still runs', async () => {
		const items = [await imageItem('stripes')];
		const result = await run(items, { options: { resampling: 'exact' } });
		expect(result.error).toBeUndefined();
		const [reference] = await expected([items[0].binary?.data.data as Buffer], ['cat', 'dog', 'car']);
		(result.items[0].json.probabilities as number[]).forEach((p, k) => expect(p).toBeCloseTo(reference.probabilities[k], 9));
	});

	test('an unknown resampling mode stops the execution, naming the modes there are', async () => {
		const result = await run([await imageItem('stripes')], { options: { resampling: 'lanczos' } });
		expect(result.error?.message).toBe('"lanczos" is not an image resampling mode');
		expect((result.error as NodeOperationError).description).toBe('Choose one of: accurate, reference, fast.');
	});

	test('a missing model folder fails every item with a message naming the folder', async () => {
		const result = await run([await imageItem('stripes')], { customModel: '/nonexistent/clip-model' }, true);
		expect(result.items[0].json.error).toContain('/nonexistent/clip-model');
	});

	test('the model is loaded once and shared by later executions', async () => {
		await run([await imageItem('stripes')]);
		const loads = sharedModelRegistry.loads;
		await Promise.all([run([await imageItem('blobs')]), run([await imageItem('checker')])]);
		expect(sharedModelRegistry.loads).toBe(loads);
	});
});
