/**
 * Classify with One Branch per Class, run inside n8n's own workflow engine: each item leaves on
 * the output of its class, "Other" catches low scores, multi-label copies items, and errors
 * follow n8n's "On Error" setting.
 */
import type { IDataObject, INode, INodeParameters } from 'n8n-workflow';
import { classifyImages, ClipModel, PROMPT_ENSEMBLES, sharedModelRegistry, type Classification } from '../../engine';
import { ZeroShotImageClassification } from '../../nodes/ZeroShotImageClassification/ZeroShotImageClassification.node';
import { classOutputs } from '../../nodes/ZeroShotImageClassification/actions/classify/classOutputs';
import { ALL_KINDS, testImage, type TestImageKind } from '../fixtures/testImages';
import { testModelPaths } from '../fixtures/testModels';
import { runNodeInWorkflow, type HarnessItem } from '../n8nHarness/runNodeInWorkflow';

const MODEL = testModelPaths().hf.dir;
const CLASSES = ['cat', 'dog', 'car', 'plane'];

function parameters(extra: INodeParameters = {}): INodeParameters {
	return { model: 'custom', customModel: MODEL, classes: CLASSES.join(', '), output: 'perClass', ...extra };
}

async function imageItem(kind: TestImageKind, json: IDataObject = {}): Promise<HarnessItem> {
	return { json: { kind, ...json }, binary: { data: { data: await testImage(kind, 'png'), mimeType: 'image/png', fileName: `${kind}.png` } } };
}

async function run(items: HarnessItem[], extra: INodeParameters = {}, onError?: INode['onError']) {
	return runNodeInWorkflow({ nodeType: new ZeroShotImageClassification(), parameters: parameters(extra), items, onError });
}

let reference: Classification[];
let images: HarnessItem[];

beforeAll(async () => {
	images = await Promise.all(ALL_KINDS.map((kind) => imageItem(kind)));
	const model = await ClipModel.load(MODEL);
	try {
		reference = (await classifyImages(
			model,
			images.map((i) => ({ image: i.binary?.data.data as Buffer, classes: CLASSES })),
		)) as Classification[];
	} finally {
		await model.release();
	}
});
afterAll(() => sharedModelRegistry.clear());

const kindsOn = (output: Array<{ json: IDataObject }> | undefined) => (output ?? []).map((item) => item.json.kind);

describe('the outputs n8n draws', () => {
	test('one output unless One Branch per Class', () => {
		expect(classOutputs({ classes: 'a, b' })).toEqual([{ type: 'main' }]);
		expect(classOutputs({ operation: 'embedImage', output: 'perClass', classes: 'a, b' })).toEqual([{ type: 'main' }]);
	});

	test('one output per class, in class order and named by it, then Other', () => {
		expect(classOutputs({ output: 'perClass', classes: ' receipt, cat ,, dog ' }).map((o) => o.displayName)).toEqual(['receipt', 'cat', 'dog', 'Other']);
	});

	test('no Other output when unmatched items are discarded', () => {
		expect(classOutputs({ output: 'perClass', classes: 'a, b', unmatched: 'discard' }).map((o) => o.displayName)).toEqual(['a', 'b']);
	});

	test('described classes are named by their labels, never their descriptions', () => {
		const classDescriptions = { classes: [{ label: 'receipt', description: 'a photo of a paper shop receipt' }, { label: ' cat ' }] };
		expect(classOutputs({ output: 'perClass', classDefinition: 'descriptions', classDescriptions }).map((o) => o.displayName)).toEqual(['receipt', 'cat', 'Other']);
	});

	test('an expression n8n could not resolve without items gives a placeholder, not a crash', () => {
		expect(classOutputs({ output: 'perClass', classes: '={{ $json.classes }}' }).map((o) => o.displayName)).toEqual(['Classes unknown', 'Other']);
		const throwing = new Proxy({ output: 'perClass' } as INodeParameters, { get: (t, k) => (k === 'classes' ? (() => { throw new Error('no items'); })() : t[k as string]) });
		expect(classOutputs(throwing).map((o) => o.displayName)).toEqual(['Classes unknown', 'Other']);
	});

	test('an array of classes (a resolved expression) names the outputs too', () => {
		expect(classOutputs({ output: 'perClass', classes: ['x', 'y'] as unknown as string }).map((o) => o.displayName)).toEqual(['x', 'y', 'Other']);
	});

	test('the function is self-contained: rebuilt from its source alone it gives the same outputs', () => {
		// n8n evaluates `(<source>)($parameter)` in its expression sandbox, where nothing of this package exists.
		const rebuilt = new Function(`return (${classOutputs.toString()})`)() as typeof classOutputs;
		expect(rebuilt({ output: 'perClass', classes: 'a, b' })).toEqual(classOutputs({ output: 'perClass', classes: 'a, b' }));
	});
});

describe('One Branch per Class in n8n', () => {
	test('each item leaves on the output of its top-1 class, with its scores; nothing on Other at threshold 0', async () => {
		const result = await run(images);
		expect(result.error).toBeUndefined();
		expect(result.outputs).toHaveLength(CLASSES.length + 1);
		CLASSES.forEach((label, c) => {
			const expected = ALL_KINDS.filter((_, i) => reference[i].label === label);
			expect(kindsOn(result.outputs[c])).toEqual(expected);
		});
		expect(result.outputs[CLASSES.length]).toEqual([]);
		for (const output of result.outputs) {
			for (const item of output) {
				const i = ALL_KINDS.indexOf(item.json.kind as TestImageKind);
				expect(item.pairedItem).toEqual({ item: i });
				expect(item.json).toMatchObject({ label: reference[i].label, labels: [reference[i].label], matched: true, scoring: 'softmax' });
				(item.json.probabilities as number[]).forEach((p, k) => expect(p).toBeCloseTo(reference[i].probabilities[k], 9));
			}
		}
	});

	test('items whose best score is under the threshold go to Other', async () => {
		const scores = reference.map((r) => r.score).sort((a, b) => a - b);
		const threshold = (scores[1] + scores[2]) / 2;
		const result = await run(images, { options: { confidenceThreshold: threshold } });
		const low = ALL_KINDS.filter((_, i) => reference[i].score < threshold);
		expect(low.length).toBeGreaterThanOrEqual(2);
		expect(kindsOn(result.outputs[CLASSES.length])).toEqual(low);
		for (const item of result.outputs[CLASSES.length]) expect(item.json).toMatchObject({ matched: false, labels: [] });
		const routed = result.outputs.slice(0, CLASSES.length).flat();
		expect(routed).toHaveLength(ALL_KINDS.length - low.length);
	});

	test('with Discard, low-score items are dropped and there is no Other output', async () => {
		const threshold = Math.max(...reference.map((r) => r.score)) + 1e-6;
		const result = await run(images, { unmatched: 'discard', options: { confidenceThreshold: Math.min(threshold, 1) } });
		expect(result.outputs).toHaveLength(CLASSES.length);
		expect(result.outputs.flat()).toEqual([]);
	});

	test('multi-label sends an item to every class whose score passes, each copy paired with its input', async () => {
		const i = 0;
		const sorted = [...reference[i].probabilities].sort((a, b) => b - a);
		// Between the second and third best scores of item 0: exactly its two best classes pass.
		const threshold = (sorted[1] + sorted[2]) / 2;
		const result = await run([images[i]], { options: { confidenceThreshold: threshold, multiLabel: true } });
		expect(result.error).toBeUndefined();
		const expected = CLASSES.filter((_, c) => reference[i].probabilities[c] >= threshold);
		expect(expected).toHaveLength(2);
		const receivedOn = CLASSES.filter((_, c) => result.outputs[c].length === 1);
		expect(receivedOn).toEqual(expected);
		const copies = CLASSES.flatMap((_, c) => result.outputs[c]);
		expect(copies.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);
		expect(copies[0].json).not.toBe(copies[1].json);
		expect(copies[0].json.labels).toEqual([...expected].sort((a, b) => reference[i].probabilities[CLASSES.indexOf(b)] - reference[i].probabilities[CLASSES.indexOf(a)]));
	});

	test('multi-label without a threshold is refused with a clear error', async () => {
		const result = await run([images[0]], { options: { multiLabel: true } });
		expect(result.error?.message).toBe('Item 0: multi-label needs a threshold above 0');
	});

	test('with "Continue", a failed item goes to Other with its error and the others are routed', async () => {
		const corrupt: HarnessItem = { json: { kind: 'corrupt' }, binary: { data: { data: Buffer.from('garbage'), mimeType: 'image/png' } } };
		const result = await run([images[0], corrupt, images[1]], {}, 'continueRegularOutput');
		expect(result.error).toBeUndefined();
		expect(kindsOn(result.outputs[CLASSES.length])).toEqual(['corrupt']);
		expect(result.outputs[CLASSES.length][0].json.error).toContain('Item 1: not a readable image');
		expect(result.outputs.slice(0, CLASSES.length).flat()).toHaveLength(2);
	});

	test('with "Continue (using error output)", a failed item goes to the error output after the class outputs', async () => {
		const corrupt: HarnessItem = { json: { kind: 'corrupt' }, binary: { data: { data: Buffer.from('garbage'), mimeType: 'image/png' } } };
		const result = await run([images[0], corrupt], {}, 'continueErrorOutput');
		expect(result.error).toBeUndefined();
		expect(result.outputs).toHaveLength(CLASSES.length + 2);
		// n8n rebuilds the items of its error output: the error, paired with the failed input item.
		const errors = result.outputs[CLASSES.length + 1];
		expect(errors.map((item) => item.pairedItem)).toEqual([{ item: 1 }]);
		expect(errors[0].json.error).toContain('Item 1: not a readable image');
		expect(result.outputs[CLASSES.length]).toEqual([]);
		expect(result.outputs.slice(0, CLASSES.length).flat()).toHaveLength(1);
	});

	test('class lists that differ between items (an expression) fail those items, saying why', async () => {
		const items = [await imageItem('stripes', { classes: 'cat, dog' }), await imageItem('blobs', { classes: 'car, plane' })];
		const result = await run(items, { classes: '={{ $json.classes }}' }, 'continueRegularOutput');
		// The outputs could not be drawn from an expression that needs the items.
		expect(result.error?.message).toBe('One Branch per Class: the classes could not be read to draw the outputs');
	});

	test('an item whose classes are not the outputs’ fails alone, naming the difference', async () => {
		// Resolvable without items (n8n draws the outputs at item 0), different for item 1.
		const items = [await imageItem('stripes'), await imageItem('blobs')];
		const result = await run(items, { classes: `={{ "${CLASSES.join(', ')}" + ($itemIndex === 1 ? ", boat" : "") }}` }, 'continueRegularOutput');
		expect(result.error).toBeUndefined();
		const other = result.outputs[result.outputs.length - 1];
		expect(other.map((item) => item.json.kind)).toEqual(['blobs']);
		expect(other[0].json.error).toBe(`Item 1: its classes (${CLASSES.join(', ')}, boat) are not the node's outputs (${CLASSES.join(', ')})`);
	});

	test('described classes route by label and score by description', async () => {
		const classDescriptions = { classes: CLASSES.map((label) => ({ label, description: `a picture showing a ${label}` })) };
		const result = await run([images[0]], { classDefinition: 'descriptions', classDescriptions });
		expect(result.error).toBeUndefined();
		const item = result.outputs.flat()[0];
		expect(item.json.classes).toEqual(CLASSES);
		const model = await ClipModel.load(MODEL);
		try {
			const [direct] = (await classifyImages(model, [{ image: images[0].binary?.data.data as Buffer, classes: CLASSES.map((l) => `a picture showing a ${l}`) }], { template: '{}' })) as Classification[];
			(item.json.probabilities as number[]).forEach((p, k) => expect(p).toBeCloseTo(direct.probabilities[k], 9));
			expect(result.outputs[CLASSES.indexOf(item.json.label as string)]).toHaveLength(1);
		} finally {
			await model.release();
		}
	});
});

describe('thresholds and ensembles on the single output', () => {
	test('a threshold adds the matched labels to each item and keeps every item on the one output', async () => {
		const threshold = Math.max(...reference.map((r) => r.score)) + 1e-6;
		const result = await run(images, { output: 'single', options: { confidenceThreshold: Math.min(threshold, 1) } });
		expect(result.outputs).toHaveLength(1);
		expect(result.items).toHaveLength(ALL_KINDS.length);
		for (const item of result.items) expect(item.json).toMatchObject({ labels: [], matched: false });
	});

	test('without a threshold the single output is as before: no labels or matched fields', async () => {
		const result = await run([images[0]], { output: 'single' });
		expect(result.items[0].json.labels).toBeUndefined();
		expect(result.items[0].json.matched).toBeUndefined();
	});

	test('the ImageNet ensemble scores as the engine does with the 80 templates', async () => {
		const result = await run([images[0]], { output: 'single', prompts: 'imagenet80' });
		const model = await ClipModel.load(MODEL);
		try {
			const [direct] = (await classifyImages(model, [{ image: images[0].binary?.data.data as Buffer, classes: CLASSES }], { templates: PROMPT_ENSEMBLES.imagenet80 })) as Classification[];
			(result.items[0].json.probabilities as number[]).forEach((p, k) => expect(p).toBeCloseTo(direct.probabilities[k], 9));
			const [single] = (await classifyImages(model, [{ image: images[0].binary?.data.data as Buffer, classes: CLASSES }])) as Classification[];
			expect(Math.max(...direct.probabilities.map((p, k) => Math.abs(p - single.probabilities[k])))).toBeGreaterThan(1e-6);
		} finally {
			await model.release();
		}
	});

	test('a custom ensemble with no templates is refused', async () => {
		const result = await run([images[0]], { output: 'single', prompts: 'custom', promptTemplates: '\n \n' });
		expect(result.error?.message).toBe('Prompt Templates is empty');
	});
});
