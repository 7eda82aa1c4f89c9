/**
 * Classify → Classes From: Example Images / Example Embeddings, run inside n8n's own workflow
 * engine: items are scored against the example prototypes, route to the class outputs the user
 * named, and the examples folder is read under n8n's file-access rules.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IDataObject, IExecuteFunctions, INode, INodeParameters } from 'n8n-workflow';

import { classifyImagesByExamples, ClipModel, embedImages, folderExampleClasses, sharedModelRegistry, type Classification } from '../../engine';
import { ZeroShotImageClassification } from '../../nodes/ZeroShotImageClassification/ZeroShotImageClassification.node';
import { checkedFolderPath } from '../../nodes/ZeroShotImageClassification/shared/fileAccess';
import { testImage, type TestImageKind } from '../fixtures/testImages';
import { testModelPaths } from '../fixtures/testModels';
import { runNodeInWorkflow, type HarnessItem } from '../n8nHarness/runNodeInWorkflow';

const MODEL = testModelPaths().hf.dir;
const QUERIES: TestImageKind[] = ['stripes', 'blobs', 'checker', 'stripes'];

let root: string;
let examples: string;
let cacheDir: string;
let items: HarnessItem[];
let reference: Classification[];

function parameters(extra: INodeParameters = {}): INodeParameters {
	return { model: 'custom', customModel: MODEL, classDefinition: 'exampleImages', examplesFolder: examples, options: { cacheDir }, ...extra };
}

async function run(extra: INodeParameters = {}, onError?: INode['onError']) {
	return runNodeInWorkflow({ nodeType: new ZeroShotImageClassification(), parameters: parameters(extra), items, onError });
}

const kinds = (output: Array<{ json: IDataObject }> | undefined) => (output ?? []).map((item) => item.json.kind);

beforeAll(async () => {
	root = mkdtempSync(join(tmpdir(), 'zsic-node-examples-'));
	examples = join(root, 'examples');
	cacheDir = join(root, 'models');
	for (const kind of ['stripes', 'checker', 'blobs'] as const) {
		mkdirSync(join(examples, kind), { recursive: true });
		writeFileSync(join(examples, kind, '1.png'), await testImage(kind, 'png'));
		writeFileSync(join(examples, kind, '2.jpg'), await testImage(kind, 'jpeg', 300, 230, 1));
	}
	items = await Promise.all(
		QUERIES.map(async (kind, i) => ({ json: { kind }, binary: { data: { data: await testImage(kind, 'jpeg', 280 + i * 10, 210, 0), mimeType: 'image/jpeg' } } })),
	);
	const model = await ClipModel.load(MODEL);
	try {
		const { classes } = await folderExampleClasses(model, examples, { cacheExamples: false });
		reference = (await classifyImagesByExamples(model, items.map((i) => i.binary?.data.data as Buffer), classes)) as Classification[];
	} finally {
		await model.release();
	}
});
afterAll(() => {
	sharedModelRegistry.clear();
	rmSync(root, { recursive: true, force: true });
});
afterEach(() => {
	delete process.env.N8N_RESTRICT_FILE_ACCESS_TO;
});

describe('Classes From: Example Images', () => {
	test('every item is scored against the example classes, named by the subfolders, scoring "examples"', async () => {
		const result = await run();
		expect(result.error).toBeUndefined();
		expect(kinds(result.items)).toEqual(QUERIES);
		result.items.forEach((item, i) => {
			expect(item.pairedItem).toEqual({ item: i });
			expect(item.json).toMatchObject({ classes: ['blobs', 'checker', 'stripes'], label: reference[i].label, scoring: 'examples' });
			(item.json.probabilities as number[]).forEach((p, c) => expect(p).toBeCloseTo(reference[i].probabilities[c], 9));
		});
	});

	test('files that are not images are skipped and listed in the item’s notes', async () => {
		writeFileSync(join(examples, 'stripes', 'README.txt'), 'stripes');
		try {
			const result = await run();
			expect(result.items[0].json.notes).toEqual([`${join(examples, 'stripes', 'README.txt')}: ignored (not an image file name)`]);
		} finally {
			rmSync(join(examples, 'stripes', 'README.txt'));
		}
	});

	test('the example embeddings are cached in the models cache folder', async () => {
		await run();
		const cached = readdirSync(join(cacheDir, 'example-embeddings'), { recursive: true }).filter((name) => String(name).endsWith('.emb'));
		expect(cached).toHaveLength(6);
	});

	test('a threshold sends low scores to no class, as for text classes', async () => {
		const scores = reference.map((r) => r.score).sort((a, b) => a - b);
		const threshold = (scores[0] + scores[1]) / 2;
		const result = await run({ options: { cacheDir, confidenceThreshold: threshold } });
		expect(result.items.map((item) => item.json.matched)).toEqual(reference.map((r) => r.score >= threshold));
	});

	test('Text Weight blends the label’s prompt in: other scores, same classes', async () => {
		const result = await run({ textWeight: 0.25 });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.classes).toEqual(['blobs', 'checker', 'stripes']);
		expect(result.items[0].json.probabilities).not.toEqual(reference[0].probabilities);
	});

	test('an empty class folder fails the run, naming the folder', async () => {
		mkdirSync(join(examples, 'empty'));
		try {
			const result = await run();
			expect(result.error?.message).toBe(`Item 0: the class folder ${join(examples, 'empty')} holds no example image`);
		} finally {
			rmSync(join(examples, 'empty'), { recursive: true });
		}
	});
});

describe('Classes From: Example Images with One Branch per Class', () => {
	const routed = (extra: INodeParameters = {}) => run({ output: 'perClass', classes: 'stripes, checker, blobs', ...extra });

	test('each item leaves on the output of its class, in the order the classes were typed', async () => {
		const result = await routed();
		expect(result.error).toBeUndefined();
		expect(result.outputs).toHaveLength(4);
		['stripes', 'checker', 'blobs'].forEach((label, c) => expect(kinds(result.outputs[c])).toEqual(QUERIES.filter((_, i) => reference[i].label === label)));
		expect(result.outputs[3]).toEqual([]);
		expect(result.outputs[0][0].json.classes).toEqual(['stripes', 'checker', 'blobs']);
	});

	test('items under the threshold leave on Other; multi-label sends an item to every class that passes', async () => {
		const order = ['stripes', 'checker', 'blobs'];
		const threshold = (Math.min(...reference.map((r) => r.score)) + Math.max(...reference.map((r) => r.score))) / 2;
		const other = await routed({ options: { cacheDir, confidenceThreshold: threshold } });
		expect(other.outputs[3].length).toBeGreaterThan(0);
		expect(kinds(other.outputs[3])).toEqual(QUERIES.filter((_, i) => reference[i].score < threshold));
		const sorted = [...reference[0].probabilities].sort((a, b) => b - a);
		// Between the second and third best scores of item 0: exactly its two best classes pass.
		const between = (sorted[1] + sorted[2]) / 2;
		const multi = await routed({ options: { cacheDir, confidenceThreshold: between, multiLabel: true } });
		const expected = order.filter((label) => reference[0].probabilities[reference[0].classes.indexOf(label)] >= between);
		expect(expected).toHaveLength(2);
		expect(order.filter((_, c) => multi.outputs[c].some((item) => item.pairedItem && (item.pairedItem as { item: number }).item === 0))).toEqual(expected);
	});

	test('a class without a subfolder is an error naming it', async () => {
		const result = await routed({ classes: 'stripes, checker, blobs, noise' });
		expect(result.error?.message).toBe('Item 0: the examples folder has no class "noise" (no subfolder of that name)');
	});

	test('a subfolder that is not one of the classes is an error naming it', async () => {
		const result = await routed({ classes: 'stripes, checker' });
		expect(result.error?.message).toBe('Item 0: the examples folder has the class "blobs", which is not one of the node\'s outputs (stripes, checker)');
	});
});

describe('Classes From: Example Embeddings', () => {
	let stored: Array<{ label: string; embedding: number[] }>;

	beforeAll(async () => {
		const model = await ClipModel.load(MODEL);
		try {
			stored = [];
			for (const kind of ['blobs', 'checker', 'stripes'] as const) {
				const embedded = (await embedImages(model, [await testImage(kind, 'png'), await testImage(kind, 'jpeg', 300, 230, 1)])) as Float32Array[];
				for (const e of embedded) stored.push({ label: kind, embedding: Array.from(e) });
			}
		} finally {
			await model.release();
		}
	});

	test('a JSON list of {label, embedding} scores exactly as the same examples from a folder', async () => {
		const result = await run({ classDefinition: 'exampleEmbeddings', exampleEmbeddings: JSON.stringify(stored) });
		expect(result.error).toBeUndefined();
		result.items.forEach((item, i) => {
			expect(item.json).toMatchObject({ label: reference[i].label, scoring: 'examples' });
			(item.json.probabilities as number[]).forEach((p, c) => expect(p).toBeCloseTo(reference[i].probabilities[c], 6));
		});
	});

	test('an expression returning the list works too', async () => {
		const result = await run({ classDefinition: 'exampleEmbeddings', exampleEmbeddings: `={{ ${JSON.stringify(stored)} }}` });
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.label)).toEqual(reference.map((r) => r.label));
	});

	test('an embedding of another model’s dimension is an error naming the entry', async () => {
		const wrong = [...stored, { label: 'stripes', embedding: [0.1, 0.2, 0.3] }];
		const result = await run({ classDefinition: 'exampleEmbeddings', exampleEmbeddings: JSON.stringify(wrong) });
		expect(result.error?.message).toMatch(/^Item 0: entry 7 of Example Embeddings \(class "stripes"\) has 3 dimensions, the model's embeddings \d+: it was made by another model$/);
	});

	test('an entry without a label or embedding is an error naming it', async () => {
		const result = await run({ classDefinition: 'exampleEmbeddings', exampleEmbeddings: JSON.stringify([stored[0], { embedding: [1] }]) });
		expect(result.error?.message).toBe('Item 0: entry 2 of Example Embeddings has no label');
	});
});

describe('file access', () => {
	test('an examples folder outside N8N_RESTRICT_FILE_ACCESS_TO is refused, naming it', async () => {
		process.env.N8N_RESTRICT_FILE_ACCESS_TO = `${join(root, 'elsewhere')};${MODEL}`;
		const result = await run();
		expect(result.error?.message).toBe(`The examples folder ${examples} is outside the folders n8n lets nodes read`);
	});

	test('an examples folder inside N8N_RESTRICT_FILE_ACCESS_TO is read', async () => {
		process.env.N8N_RESTRICT_FILE_ACCESS_TO = `${join(root, 'elsewhere')};${root};${MODEL}`;
		const result = await run();
		expect(result.error).toBeUndefined();
	});

	test('a model folder typed into the node follows the same rule', async () => {
		process.env.N8N_RESTRICT_FILE_ACCESS_TO = root;
		const result = await run();
		expect(result.error?.message).toBe(`The model folder ${MODEL} is outside the folders n8n lets nodes read`);
	});

	describe('on an n8n whose helpers cannot check paths, the same rule from the same variables', () => {
		const context = { helpers: {}, getNode: () => ({ name: 'Classify' }) } as unknown as IExecuteFunctions;

		test('outside N8N_RESTRICT_FILE_ACCESS_TO: refused', async () => {
			process.env.N8N_RESTRICT_FILE_ACCESS_TO = join(root, 'elsewhere');
			await expect(checkedFolderPath(context, examples, 'The examples folder')).rejects.toThrow(`The examples folder ${examples} is outside the folders n8n lets nodes read`);
		});

		test('inside it: allowed; and the node’s own models cache always is', async () => {
			process.env.N8N_RESTRICT_FILE_ACCESS_TO = root;
			await expect(checkedFolderPath(context, examples, 'The examples folder')).resolves.toBe(examples);
			process.env.N8N_RESTRICT_FILE_ACCESS_TO = join(root, 'elsewhere');
			await expect(checkedFolderPath(context, join(cacheDir, 'x'), 'The model folder', [cacheDir])).resolves.toBe(join(cacheDir, 'x'));
		});

		test('n8n’s own folder and .git folders are refused even when allowed', async () => {
			process.env.N8N_RESTRICT_FILE_ACCESS_TO = root;
			const userFolder = process.env.N8N_USER_FOLDER;
			process.env.N8N_USER_FOLDER = root;
			try {
				await expect(checkedFolderPath(context, join(root, '.n8n', 'examples'), 'The examples folder')).rejects.toThrow('is outside the folders n8n lets nodes read');
				await expect(checkedFolderPath(context, join(root, 'repo', '.git'), 'The examples folder')).rejects.toThrow('is outside the folders n8n lets nodes read');
			} finally {
				if (userFolder === undefined) delete process.env.N8N_USER_FOLDER;
				else process.env.N8N_USER_FOLDER = userFolder;
			}
		});
	});
});
