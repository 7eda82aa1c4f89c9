/**
 * Classify → Image Source: Embedding in a JSON Field, run inside n8n's own workflow engine: the
 * embeddings Embed Image wrote (as they come back from a database) classified without their images.
 */
import { NodeOperationError, type IDataObject, type INodeParameters } from 'n8n-workflow';
import { ClipModel, sharedModelRegistry } from '../../engine';
import { ZeroShotImageClassification } from '../../nodes/ZeroShotImageClassification/ZeroShotImageClassification.node';
import { testImage, type TestImageKind } from '../fixtures/testImages';
import { testModelPaths } from '../fixtures/testModels';
import { runNodeInWorkflow, type HarnessItem } from '../n8nHarness/runNodeInWorkflow';

const MODEL = testModelPaths().hf.dir;
const CLASSES = 'cat, dog, car';
const KINDS: TestImageKind[] = ['stripes', 'blobs', 'checker'];

function run(items: HarnessItem[], extra: INodeParameters, continueOnFail = false) {
	return runNodeInWorkflow({ nodeType: new ZeroShotImageClassification(), parameters: { model: 'custom', customModel: MODEL, classes: CLASSES, ...extra }, items, continueOnFail });
}

function classifyStored(items: HarnessItem[], extra: INodeParameters = {}, continueOnFail = false) {
	return run(items, { imageSource: 'embedding', ...extra }, continueOnFail);
}

async function imageItems(): Promise<HarnessItem[]> {
	return Promise.all(KINDS.map(async (kind) => ({ json: { kind }, binary: { data: { data: await testImage(kind, 'png'), mimeType: 'image/png' } } })));
}

/** Embed Image's output items (embedding, model, dimension), without their images. */
let stored: IDataObject[];
/** Classify's probabilities for the images themselves. */
let direct: number[][];

beforeAll(async () => {
	const images = await imageItems();
	const embedded = await run(images, { operation: 'embedImage' });
	stored = embedded.items.map((item) => item.json);
	direct = (await run(images, {})).items.map((item) => item.json.probabilities as number[]);
});
afterAll(() => sharedModelRegistry.clear());

function expectSameProbabilities(actual: number[], reference: number[]): void {
	expect(actual).toHaveLength(reference.length);
	actual.forEach((p, c) => expect(Math.abs(p - reference[c])).toBeLessThanOrEqual(1e-6));
}

describe('Classify an embedding stored in a JSON field', () => {
	test('gives the probabilities of classifying the image itself, from Embed Image’s output', async () => {
		const result = await classifyStored(stored.map((json) => ({ json })));
		expect(result.error).toBeUndefined();
		result.items.forEach((item, i) => {
			expectSameProbabilities(item.json.probabilities as number[], direct[i]);
			expect(item.json).toMatchObject({ classes: ['cat', 'dog', 'car'], kind: KINDS[i], scoring: 'softmax' });
			expect(item.pairedItem).toEqual({ item: i });
		});
	});

	test('never runs the vision tower', async () => {
		const vision = jest.spyOn(ClipModel.prototype, 'embedPixels');
		try {
			const result = await classifyStored(stored.map((json) => ({ json })));
			expect(result.error).toBeUndefined();
			expect(vision).not.toHaveBeenCalled();
		} finally {
			vision.mockRestore();
		}
	});

	test('reads the forms a PostgreSQL read gives back: real[] as numbers, JSON or pgvector text, an array literal', async () => {
		const { embedding, model } = stored[0] as { embedding: number[]; model: string };
		const rows: HarnessItem[] = [
			// real[] rounds each value to float4, which the float32 embedding already is.
			{ json: { file: 'a.png', model, embedding: embedding.map((v) => Math.fround(v)) } },
			{ json: { file: 'a.png', model, embedding: JSON.stringify(embedding) } },
			{ json: { file: 'a.png', model, embedding: `[${embedding.join(',')}]` } },
			{ json: { file: 'a.png', model, embedding: `{${embedding.join(',')}}` } },
		];
		const result = await classifyStored(rows);
		expect(result.error).toBeUndefined();
		result.items.forEach((item) => expectSameProbabilities(item.json.probabilities as number[], direct[0]));
	});

	test('reads Embed Image’s whole output kept under one field (a JSON column), and a nested field', async () => {
		const result = await classifyStored([{ json: { row: { clip: stored[1] } } }, { json: { row: { clip: stored[2] } } }], { embeddingField: 'row.clip' });
		expect(result.error).toBeUndefined();
		expectSameProbabilities(result.items[0].json.probabilities as number[], direct[1]);
		const nested = await classifyStored([{ json: { row: stored[2] } }], { embeddingField: 'row.embedding' });
		expectSameProbabilities(nested.items[0].json.probabilities as number[], direct[2]);
	});

	test('a list of embeddings (Embed Image’s batched form) gives one result per embedding', async () => {
		const embeddings = stored.map((json) => json.embedding as number[]);
		const result = await classifyStored([{ json: { embedding: embeddings, model: MODEL } }]);
		expect(result.error).toBeUndefined();
		const probabilities = result.items[0].json.probabilities as number[][];
		expect(probabilities).toHaveLength(KINDS.length);
		probabilities.forEach((p, i) => expectSameProbabilities(p, direct[i]));
	});

	test('a bad embedding in a list fails its item, saying which entry', async () => {
		const embeddings = stored.map((json) => json.embedding as number[]);
		const result = await classifyStored([{ json: { embedding: [embeddings[0], embeddings[1].slice(0, 5)] } }], {}, true);
		expect(result.items[0].json.error).toBe(`Item 0: embedding 2 of 2: the embedding has 5 values and ${MODEL} makes ${embeddings[0].length}-dimensional embeddings`);
	});

	test('an embedding not of unit length (rounded or made elsewhere) is scored by its direction', async () => {
		const scaled = (stored[0].embedding as number[]).map((v) => v * 3);
		const result = await classifyStored([{ json: { embedding: scaled } }]);
		expectSameProbabilities(result.items[0].json.probabilities as number[], direct[0]);
	});

	test('an embedding of another length is refused, naming the item and both lengths', async () => {
		const embedding = stored[0].embedding as number[];
		const result = await classifyStored([{ json: stored[0] }, { json: { embedding: embedding.slice(0, 10) } }]);
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect((result.error as NodeOperationError).context.itemIndex).toBe(1);
		expect(result.error?.message).toBe(`Item 1: the embedding has 10 values and ${MODEL} makes ${embedding.length}-dimensional embeddings`);
	});

	test('an embedding another model made (its `model` field says so) is refused, naming the item and both models', async () => {
		const result = await classifyStored([{ json: { ...stored[0], model: 'clip-vit-large-patch14' } }]);
		expect(result.error?.message).toBe(`Item 0: its embedding was made by clip-vit-large-patch14, and this node runs ${MODEL}`);
		expect((result.error as NodeOperationError).description).toContain('different models');
	});

	test('a missing field, text that is not an embedding, or a non-number value fail their item, naming the cause', async () => {
		const embedding = stored[0].embedding as number[];
		const result = await classifyStored(
			[{ json: {} }, { json: { embedding: 'not a vector' } }, { json: { embedding: [...embedding.slice(0, -1), 'x'] } }, { json: { embedding: embedding.map(() => 0) } }],
			{},
			true,
		);
		expect(result.items.map((item) => item.json.error)).toEqual([
			'Item 0: there is no JSON field "embedding"',
			'Item 1: the JSON field "embedding" holds text that is not an embedding (expected a list of numbers such as [0.1,-0.2,...])',
			`Item 2: value ${embedding.length} of the JSON field "embedding" is not a finite number ("x")`,
			'Item 3: the embedding is all zeros: it has no direction to compare',
		]);
	});

	test('with continue-on-fail, a refused embedding carries its error and the other items are classified', async () => {
		const result = await classifyStored([{ json: stored[0] }, { json: { id: 'bad', embedding: [0.5, 0.5] } }, { json: stored[2] }], {}, true);
		expect(result.error).toBeUndefined();
		expectSameProbabilities(result.items[0].json.probabilities as number[], direct[0]);
		expect(result.items[1].json).toMatchObject({ id: 'bad', error: expect.stringContaining('Item 1: the embedding has 2 values') });
		expectSameProbabilities(result.items[2].json.probabilities as number[], direct[2]);
		expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	test('routes stored embeddings to their class outputs as it routes images', async () => {
		const result = await runNodeInWorkflow({
			nodeType: new ZeroShotImageClassification(),
			parameters: { model: 'custom', customModel: MODEL, classes: CLASSES, imageSource: 'embedding', output: 'perClass' },
			items: stored.map((json) => ({ json })),
		});
		expect(result.error).toBeUndefined();
		const labels = ['cat', 'dog', 'car'];
		const best = direct.map((p) => labels[p.indexOf(Math.max(...p))]);
		expect(result.outputs.slice(0, 3).map((items) => items.map((item) => item.json.kind))).toEqual(labels.map((label) => KINDS.filter((_, i) => best[i] === label)));
	});
});
