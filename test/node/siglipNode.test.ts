/** The node with SigLIP models, run inside n8n's own workflow engine. */
import type { INodeParameters } from 'n8n-workflow';
import { classifyImages, ClipModel, sharedModelRegistry, type Classification } from '../../engine';
import { ZeroShotImageClassification } from '../../nodes/ZeroShotImageClassification/ZeroShotImageClassification.node';
import { testImage } from '../fixtures/testImages';
import { testModelPaths } from '../fixtures/testModels';
import { runNodeInWorkflow, type HarnessItem } from '../n8nHarness/runNodeInWorkflow';

const paths = testModelPaths();
const CLASSES = ['cat', 'dog', 'car'];

async function images(): Promise<HarnessItem[]> {
	return Promise.all((['stripes', 'gradient'] as const).map(async (kind) => ({ json: { kind }, binary: { data: { data: await testImage(kind, 'png'), mimeType: 'image/png' } } })));
}

function run(folder: string, items: HarnessItem[], extra: INodeParameters = {}, continueOnFail = false) {
	return runNodeInWorkflow({
		nodeType: new ZeroShotImageClassification(),
		parameters: { model: 'custom', customModel: folder, classes: CLASSES.join(', '), ...extra },
		items,
		continueOnFail,
	});
}

afterAll(() => sharedModelRegistry.clear());

test('a SigLIP model classifies with sigmoid scores, said on every item', async () => {
	const items = await images();
	const result = await run(paths.siglipHf.dir, items);
	expect(result.error).toBeUndefined();
	const model = await ClipModel.load(paths.siglipHf.dir);
	const reference = (await classifyImages(model, items.map((item) => ({ image: item.binary?.data.data as Buffer, classes: CLASSES })))) as Classification[];
	await model.release();
	result.items.forEach((item, i) => {
		expect(item.json.scoring).toBe('sigmoid');
		(item.json.probabilities as number[]).forEach((p, c) => expect(p).toBeCloseTo(reference[i].probabilities[c], 6));
	});
});

test('an Immich SigLIP folder without scale and bias fails every item with the reason, under Continue too', async () => {
	const result = await run(paths.siglipImmich.dir, await images(), {}, true);
	expect(result.error).toBeUndefined();
	for (const item of result.items) expect(String(item.json.error)).toMatch(/SigLIP model that gives no logit scale and logit bias/);
});

test('the Logit Scale and Logit Bias options let an Immich SigLIP folder classify', async () => {
	const result = await run(paths.siglipImmich.dir, await images(), { options: { logitScale: 100, logitBias: 13 } });
	expect(result.error).toBeUndefined();
	for (const item of result.items) expect(item.json).toMatchObject({ scoring: 'sigmoid', classes: CLASSES });
});
