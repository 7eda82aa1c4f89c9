/** The process-wide image-embedding cache as Classify and Embed Image use it, inside n8n's workflow engine. */
import type { INodeParameters } from 'n8n-workflow';
import { ClipModel, MEGABYTE, sharedImageEmbeddingCache, sharedModelRegistry } from '../../engine';
import { ZeroShotImageClassification } from '../../nodes/ZeroShotImageClassification/ZeroShotImageClassification.node';
import { testImage, type TestImageKind } from '../fixtures/testImages';
import { testModelPaths } from '../fixtures/testModels';
import { runNodeInWorkflow, type HarnessItem } from '../n8nHarness/runNodeInWorkflow';

const MODEL = testModelPaths().hf.dir;
const KINDS: TestImageKind[] = ['stripes', 'blobs', 'checker'];

async function items(): Promise<HarnessItem[]> {
	return Promise.all(KINDS.map(async (kind) => ({ json: { kind }, binary: { data: { data: await testImage(kind, 'png'), mimeType: 'image/png' } } })));
}

/** Runs the node, counting the images that went through the vision tower. */
async function countedRun(extra: INodeParameters) {
	const vision = jest.spyOn(ClipModel.prototype, 'embedPixels');
	try {
		const result = await runNodeInWorkflow({ nodeType: new ZeroShotImageClassification(), parameters: { model: 'custom', customModel: MODEL, classes: 'cat, dog, car', ...extra }, items: await items() });
		expect(result.error).toBeUndefined();
		const inferred = vision.mock.calls.reduce((sum, [, count]) => sum + count, 0);
		return { json: result.items.map((item) => item.json), inferred };
	} finally {
		vision.mockRestore();
	}
}

beforeEach(() => {
	sharedImageEmbeddingCache.resize(64 * MEGABYTE);
	sharedImageEmbeddingCache.clear();
});
afterAll(() => sharedModelRegistry.clear());

describe('image-embedding cache in the node', () => {
	test('a re-run of Classify on the same images runs no inference and gives the same results', async () => {
		const first = await countedRun({});
		const second = await countedRun({});
		expect(first.inferred).toBe(KINDS.length);
		expect(second.inferred).toBe(0);
		expect(second.json).toEqual(first.json);
	});

	test('Classify and Embed Image share it: images one embedded, the other does not embed again', async () => {
		await countedRun({ operation: 'embedImage' });
		const classify = await countedRun({});
		expect(classify.inferred).toBe(0);
	});

	test('Image Cache (MB) at 0 keeps the node out of it: every image is inferred, every time', async () => {
		await countedRun({});
		const off = await countedRun({ options: { imageCacheMb: 0 } });
		expect(off.inferred).toBe(KINDS.length);
		expect(sharedImageEmbeddingCache.hits).toBe(0);
	});

	test('Image Cache (MB) resizes the process-wide cache', async () => {
		await countedRun({ options: { imageCacheMb: 2 } });
		expect(sharedImageEmbeddingCache.capacityBytes).toBe(2 * MEGABYTE);
		expect(sharedImageEmbeddingCache.size).toBe(KINDS.length);
	});
});
