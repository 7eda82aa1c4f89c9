/**
 * The bad-input matrix through the n8n node, run inside n8n's workflow engine (the in-process
 * harness): each bad item gets a clear error of its own (continueOnFail) or fails the execution
 * naming it; every other item of the same execution is still classified, with the probabilities
 * the engine gives it alone.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { classifyImages, ClipModel, sharedModelRegistry, type Classification } from '../../engine';
import { ZeroShotImageClassification } from '../../nodes/ZeroShotImageClassification/ZeroShotImageClassification.node';
import { testModelPaths } from '../fixtures/testModels';
import { runNodeInWorkflow, type HarnessItem } from '../n8nHarness/runNodeInWorkflow';
import { patternPng, SVG_IMAGE } from './hostileImages';
import { CLASS_ROWS, IMAGE_ROWS, type ImageRow } from './inputMatrix';

const MODEL = testModelPaths().hf.dir;
const CLASSES = ['cat', 'dog', 'car'];
const ROW_TIMEOUT_MS = 30_000;

let itemsTried = 0;

async function run(items: HarnessItem[], extra: INodeParameters = {}, continueOnFail = true) {
	itemsTried += items.length;
	return runNodeInWorkflow({
		nodeType: new ZeroShotImageClassification(),
		parameters: { model: 'custom', customModel: MODEL, classes: CLASSES.join(', '), ...extra },
		items,
		continueOnFail,
	});
}

function binaryItem(data: Buffer, mimeType: string, fileName: string, json: IDataObject = {}): HarnessItem {
	return { json, binary: { data: { data, mimeType, fileName } } };
}

function expectClassified(item: INodeExecutionData, reference: Classification, classes = CLASSES): void {
	expect(item.json.error).toBeUndefined();
	expect(item.json.classes).toEqual(classes);
	const probabilities = item.json.probabilities as number[];
	expect(probabilities).toHaveLength(classes.length);
	probabilities.forEach((p, k) => expect(p).toBeCloseTo(reference.probabilities[k], 5));
	expect(item.json.label).toBe(reference.label);
}

function expectItemError(item: INodeExecutionData, message: RegExp, index: number): void {
	expect(item.json.error).toEqual(expect.any(String));
	expect(item.json.error).toMatch(message);
	expect(item.pairedItem).toEqual({ item: index });
	expect(item.json.label).toBeUndefined();
}

describe('bad input matrix through the n8n node', () => {
	let model: ClipModel;
	let goodA: Buffer;
	let goodB: Buffer;
	let aloneA: Classification;
	let aloneB: Classification;

	async function engineResult(image: Buffer, classes = CLASSES, template?: string): Promise<Classification> {
		const [result] = await classifyImages(model, [{ image, classes }], { template });
		if (result instanceof Error) throw result;
		return result;
	}

	const good = (json: IDataObject = {}) => [binaryItem(goodA, 'image/png', 'a.png', json), binaryItem(goodB, 'image/png', 'b.png', json)];

	beforeAll(async () => {
		model = await ClipModel.load(MODEL);
		goodA = await patternPng(320, 240, 1);
		goodB = await patternPng(200, 300, 2);
		aloneA = await engineResult(goodA);
		aloneB = await engineResult(goodB);
	});
	afterAll(async () => {
		await model?.release();
		await sharedModelRegistry.clear();
		process.stdout.write(`[bad input] node: ${itemsTried} items tried, 0 crashes\n`);
	});

	async function checkRowItem(row: ImageRow, item: INodeExecutionData, index: number): Promise<void> {
		if ('error' in row.outcome) expectItemError(item, row.outcome.error, index);
		else if ('sameAs' in row.outcome) expectClassified(item, await engineResult(await row.outcome.sameAs()));
		else expectClassified(item, await engineResult(await row.bytes()));
	}

	test.each(IMAGE_ROWS.map((row) => [row.name, row] as const))(
		'%s',
		async (_, row) => {
			const [a, b] = good();
			const result = await run([a, binaryItem(await row.bytes(), row.mimeType, row.file), b], row.maxPixels ? { options: { maxImagePixels: row.maxPixels } } : {});
			expect(result.error).toBeUndefined();
			expect(result.items).toHaveLength(3);
			expectClassified(result.items[0], aloneA);
			expectClassified(result.items[2], aloneB);
			await checkRowItem(row, result.items[1], 1);
		},
		ROW_TIMEOUT_MS * 2,
	);

	const nodeOnlyRows: Array<{ name: string; item: () => HarnessItem; error: RegExp; parameters?: INodeParameters }> = [
		{ name: 'no binary at all on the item', item: () => ({ json: { id: 'x' } }), error: /expects the node's input data to contain a binary file 'data', but none was found/ },
		{
			name: 'the binary is under another property',
			item: () => ({ json: {}, binary: { photo: { data: goodA, mimeType: 'image/png', fileName: 'a.png' } } }),
			error: /The item has no binary field 'data'/,
		},
		{ name: 'a PDF binary (application/pdf)', item: () => binaryItem(Buffer.from('%PDF-1.4\n%%EOF\n'), 'application/pdf', 'invoice.pdf'), error: /holds application\/pdf \(invoice\.pdf\), not an image/ },
		{ name: 'a text binary (text/plain)', item: () => binaryItem(Buffer.from('hello'), 'text/plain', 'notes.txt'), error: /holds text\/plain \(notes\.txt\), not an image/ },
		{ name: 'a JSON field that is missing', item: () => ({ json: { other: 1 } }), parameters: { imageSource: 'json', imageField: 'image' }, error: /has no JSON field "image"/ },
		{ name: 'a JSON field that is not base64', item: () => ({ json: { image: 'this is not base64!' } }), parameters: { imageSource: 'json', imageField: 'image' }, error: /not valid base64/ },
		{ name: 'a JSON field holding a number', item: () => ({ json: { image: 42 } }), parameters: { imageSource: 'json', imageField: 'image' }, error: /expected a base64 string or data URL, got number/ },
		{
			name: 'a data URL of an SVG',
			item: () => ({ json: { image: `data:image/svg+xml;base64,${SVG_IMAGE.toString('base64')}` } }),
			parameters: { imageSource: 'json', imageField: 'image' },
			error: /SVG images are refused/,
		},
		{
			name: 'a data URL of a text file',
			item: () => ({ json: { image: `data:text/plain;base64,${Buffer.from('hi').toString('base64')}` } }),
			parameters: { imageSource: 'json', imageField: 'image' },
			error: /the data URL holds text\/plain, not an image/,
		},
	];

	test.each(nodeOnlyRows.map((row) => [row.name, row] as const))('%s', async (_, row) => {
		const json = row.parameters?.imageSource === 'json';
		const [a, b] = json
			? [{ json: { image: goodA.toString('base64') } }, { json: { image: `data:image/png;base64,${goodB.toString('base64')}` } }]
			: good();
		const result = await run([a, row.item(), b], row.parameters);
		expect(result.error).toBeUndefined();
		expectClassified(result.items[0], aloneA);
		expectItemError(result.items[1], row.error, 1);
		expectClassified(result.items[2], aloneB);
	});

	test('every row in one execution: each bad item has its own error, every good item is classified', async () => {
		const items: HarnessItem[] = [];
		const expected: Array<ImageRow | 'A' | 'B'> = [];
		for (const row of IMAGE_ROWS.filter((r) => r.maxPixels === undefined)) {
			items.push(binaryItem(await row.bytes(), row.mimeType, row.file), binaryItem(goodB, 'image/png', 'b.png'));
			expected.push(row, 'B');
		}
		items.unshift(binaryItem(goodA, 'image/png', 'a.png'));
		expected.unshift('A');
		const result = await run(items, { options: { batchSize: 4 } });
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(items.length);
		for (let i = 0; i < items.length; i++) {
			const what = expected[i];
			expect(result.items[i].pairedItem).toEqual({ item: i });
			if (what === 'A') expectClassified(result.items[i], aloneA);
			else if (what === 'B') expectClassified(result.items[i], aloneB);
			else await checkRowItem(what, result.items[i], i);
		}
	}, 120_000);

	test('without "Continue On Fail" the first bad item fails the execution, naming the item', async () => {
		const [a, b] = good();
		const result = await run([a, b, binaryItem(Buffer.from('not an image'), 'image/jpeg', 'x.jpg')], {}, false);
		expect(result.error?.message).toMatch(/^Item 2: not a readable image/);
		expect((result.error as { description?: string }).description).toMatch(/Supported formats/);
	});

	describe('class lists', () => {
		test.each(CLASS_ROWS.map((row) => [row.name, row] as const))('%s', async (_, row) => {
			const [a, b] = good({ classes: CLASSES });
			const bad = binaryItem(goodB, 'image/png', 'b.png', { classes: row.text });
			const result = await run([a, bad, b], { classes: '={{ $json.classes }}', promptTemplate: row.template ?? 'a photo of a {}.' });
			expect(result.error).toBeUndefined();
			expectClassified(result.items[0], await engineResult(goodA, CLASSES, row.template));
			expectClassified(result.items[2], await engineResult(goodB, CLASSES, row.template));
			if ('error' in row.outcome) {
				expectItemError(result.items[1], row.outcome.error, 1);
			} else {
				const classes = (typeof row.text === 'string' ? row.text.split(',') : row.text).map((c) => c.trim());
				expectClassified(result.items[1], await engineResult(goodB, classes, row.template), classes);
			}
		});

		test('a template without {} gives the same as "<template> {}"', async () => {
			const [a] = good();
			const plain = await run([a], { promptTemplate: 'a photo of a' });
			const braces = await run([a], { promptTemplate: 'a photo of a {}' });
			expect(plain.items[0].json.probabilities).toEqual(braces.items[0].json.probabilities);
		});
	});
});
