/**
 * Classes from example images: the folder is read as torchvision's ImageFolder reads it, each
 * class is the prototype of its examples (optionally blended with its label's prompt), and images
 * are scored against the prototypes with a scale taken from the classes themselves.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
	classifyImagesByExamples,
	ClipModel,
	embedExampleFolder,
	embedImages,
	exampleClassSet,
	exampleScale,
	MAX_EXAMPLE_SCALE,
	readExampleFolder,
	type ExampleClassSet,
} from '../../engine';
import { classPrompts } from '../../engine/text/classPrompts';
import { testImage } from '../fixtures/testImages';
import { testModelPaths } from '../fixtures/testModels';

let model: ClipModel;
let root: string;

beforeAll(async () => {
	model = await ClipModel.load(testModelPaths().hf.dir);
});
afterAll(() => model.release());
beforeEach(() => {
	root = mkdtempSync(join(tmpdir(), 'zsic-examples-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(path: string, bytes: Buffer | string): void {
	mkdirSync(join(root, path, '..'), { recursive: true });
	writeFileSync(join(root, path), bytes);
}

async function stripesAndBlobs(): Promise<void> {
	write('stripes/a.png', await testImage('stripes', 'png'));
	write('stripes/b.jpg', await testImage('stripes', 'jpeg', 300, 220, 1));
	write('blobs/a.png', await testImage('blobs', 'png'));
}

describe('the examples folder', () => {
	test('each subfolder is a class named by it, in name order, its images inside', async () => {
		await stripesAndBlobs();
		const folder = await readExampleFolder(root);
		expect(folder.classes.map((c) => c.label)).toEqual(['blobs', 'stripes']);
		expect(folder.classes[1].files).toEqual([join(root, 'stripes/a.png'), join(root, 'stripes/b.jpg')]);
		expect(folder.notes).toEqual([]);
	});

	test('non-image files, loose files and nested folders are skipped with a note naming each', async () => {
		await stripesAndBlobs();
		write('stripes/README.txt', 'about these');
		write('stripes/nested/c.png', await testImage('checker'));
		write('loose.png', await testImage('noise'));
		write('blobs/.DS_Store', 'x');
		const folder = await readExampleFolder(root);
		expect(folder.classes.map((c) => c.files.length)).toEqual([1, 2]);
		expect(folder.notes).toEqual([
			`${join(root, 'loose.png')}: ignored (not in a class subfolder)`,
			`${join(root, 'stripes/README.txt')}: ignored (not an image file name)`,
			`${join(root, 'stripes/nested')}: ignored (a folder inside a class folder)`,
		]);
	});

	test('a class folder without any image is an error naming it', async () => {
		await stripesAndBlobs();
		write('empty/notes.md', '# none');
		await expect(readExampleFolder(root)).rejects.toThrow(`the class folder ${join(root, 'empty')} holds no example image`);
	});

	test('a folder without class subfolders, or no folder at all, is an error naming it', async () => {
		write('a.png', await testImage('stripes'));
		await expect(readExampleFolder(root)).rejects.toThrow(`the examples folder ${root} has no class subfolder`);
		await expect(readExampleFolder(join(root, 'missing'))).rejects.toThrow(`the examples folder ${join(root, 'missing')} cannot be read`);
	});

	test('an example that is not a readable image is an error naming the file', async () => {
		await stripesAndBlobs();
		write('blobs/broken.jpg', Buffer.from('not a jpeg at all'));
		await expect(embedExampleFolder(model, await readExampleFolder(root))).rejects.toThrow(`example ${join(root, 'blobs/broken.jpg')}: not a readable image`);
	});
});

describe('example classes', () => {
	test('each class embedding is the prototype of its examples as the vision tower embeds them', async () => {
		await stripesAndBlobs();
		const embedded = await embedExampleFolder(model, await readExampleFolder(root));
		const direct = (await embedImages(model, [await testImage('stripes', 'png'), await testImage('stripes', 'jpeg', 300, 220, 1)])) as Float32Array[];
		expect(embedded.classes[1].embeddings).toEqual(direct);
		expect(embedded.embedded).toBe(3);
	});

	test('an example of another model’s dimension is an error naming where it came from', async () => {
		const wrong = new Float32Array(7).fill(0.1);
		await expect(exampleClassSet(model, [{ label: 'cat', embeddings: [wrong], sources: ['/examples/cat/1.jpg'] }])).rejects.toThrow(
			/\/examples\/cat\/1\.jpg has 7 dimensions, the model's embeddings \d+: it was made by another model/,
		);
	});

	test('a class with no example is an error naming the class', async () => {
		await expect(exampleClassSet(model, [{ label: 'cat', embeddings: [], sources: [] }])).rejects.toThrow('class "cat" has no example');
	});

	test('Text Weight 1 gives the label’s prompt embedding, through the same templates as text classes', async () => {
		const [image] = (await embedImages(model, [await testImage('checker')])) as Float32Array[];
		const templates = ['a photo of a {}.', 'a drawing of a {}.'];
		const set = await exampleClassSet(model, [{ label: 'checker', embeddings: [image], sources: [] }], { textWeight: 1, templates });
		const [text] = await model.embedClasses([classPrompts('checker', templates)]);
		Array.from(set.embeddings[0]).forEach((v, i) => expect(v).toBeCloseTo(text[i], 6));
	});

	test('Text Weight outside 0–1 is refused', async () => {
		const [image] = (await embedImages(model, [await testImage('checker')])) as Float32Array[];
		await expect(exampleClassSet(model, [{ label: 'checker', embeddings: [image], sources: [] }], { textWeight: 1.2 })).rejects.toThrow('Text Weight must be between 0 and 1');
	});
});

describe('scores against example classes', () => {
	test('the scale maps the median distance to the nearest other prototype to a 0.95 score, computed by hand', () => {
		// Prototypes at cosine 0.8 (in float32) from each other: distance 0.2 each, scale ln(0.95/0.05) / 0.2.
		const a = new Float32Array([1, 0]);
		const b = new Float32Array([0.8, 0.6]);
		const distance = 1 - Math.fround(0.8);
		expect(exampleScale([a, b])).toBeCloseTo(Math.log(19) / distance, 9);
		// At a prototype, against that one rival: softmax(scale × [1, 0.8]) gives 0.95.
		expect(1 / (1 + Math.exp(-exampleScale([a, b]) * distance))).toBeCloseTo(0.95, 9);
	});

	test('coinciding prototypes, or a single class, get CLIP’s text scale at most', () => {
		const a = new Float32Array([1, 0]);
		expect(exampleScale([a, new Float32Array([1, 0])])).toBe(MAX_EXAMPLE_SCALE);
		expect(exampleScale([a])).toBe(MAX_EXAMPLE_SCALE);
	});

	test('an image is scored against the prototypes with the classes’ scale and says so (scoring "examples")', async () => {
		await stripesAndBlobs();
		const embedded = await embedExampleFolder(model, await readExampleFolder(root));
		const classes: ExampleClassSet = await exampleClassSet(model, embedded.classes);
		const query = await testImage('stripes', 'jpeg', 280, 200, 0);
		const [result] = await classifyImagesByExamples(model, [query], classes);
		if (result instanceof Error) throw result;
		expect(result).toMatchObject({ classes: ['blobs', 'stripes'], label: 'stripes', scoring: 'examples' });
		const [q] = (await embedImages(model, [query])) as Float32Array[];
		const logits = classes.embeddings.map((p) => classes.scale * p.reduce((sum, v, i) => sum + v * q[i], 0));
		const expected = logits.map((l) => Math.exp(l) / logits.reduce((s, m) => s + Math.exp(m), 0));
		result.probabilities.forEach((p, c) => expect(p).toBeCloseTo(expected[c], 6));
	});

	test('an unreadable query image fails alone', async () => {
		await stripesAndBlobs();
		const classes = await exampleClassSet(model, (await embedExampleFolder(model, await readExampleFolder(root))).classes);
		const results = await classifyImagesByExamples(model, [Buffer.from('nope'), await testImage('blobs')], classes);
		expect(results[0]).toBeInstanceOf(Error);
		expect(results[1]).toMatchObject({ label: 'blobs' });
	});
});
