/** `clip-classify classify --examples <folder>`: classes from example images, results as for text classes. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { classifyImagesByExamples, ClipModel, folderExampleClasses, type Classification } from '../../engine';
import { testImage } from '../fixtures/testImages';
import { testModelPaths } from '../fixtures/testModels';
import { runCli } from './cliHarness';

interface ExamplesDocument {
	classes: string[];
	examples: string;
	textWeight: number;
	notes?: string[];
	results: Array<{ file: string; probabilities: number[]; label: string; scoring: string; labels?: string[] }>;
}

const model = testModelPaths().hf.dir;
let dir: string;
let examples: string;
let queries: string[];

beforeAll(async () => {
	dir = mkdtempSync(join(tmpdir(), 'zsic-cli-examples-'));
	examples = join(dir, 'examples');
	for (const kind of ['stripes', 'blobs'] as const) {
		mkdirSync(join(examples, kind), { recursive: true });
		writeFileSync(join(examples, kind, '1.png'), await testImage(kind));
		writeFileSync(join(examples, kind, '2.jpg'), await testImage(kind, 'jpeg', 300, 220, 1));
	}
	writeFileSync(join(examples, 'blobs', 'notes.txt'), 'not an image');
	queries = [join(dir, 'q1.jpg'), join(dir, 'q2.jpg')];
	writeFileSync(queries[0], await testImage('stripes', 'jpeg', 280, 200));
	writeFileSync(queries[1], await testImage('blobs', 'jpeg', 280, 200));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const classify = (...args: string[]) => runCli(['classify', '--model', model, '--cache-dir', join(dir, 'models'), '--examples', examples, ...args, ...queries]);

test('prints the example classes, each file scored against them (scoring "examples"), and the skipped files', async () => {
	const run = await classify();
	expect(run.code).toBe(0);
	const doc = JSON.parse(run.stdout) as ExamplesDocument;
	const loaded = await ClipModel.load(model);
	let reference: Classification[];
	try {
		const { classes } = await folderExampleClasses(loaded, examples, { cacheExamples: false });
		reference = (await classifyImagesByExamples(loaded, queries.map((q) => readFileSync(q)), classes)) as Classification[];
	} finally {
		await loaded.release();
	}
	expect(doc).toMatchObject({ classes: ['blobs', 'stripes'], examples, textWeight: 0, notes: [`${join(examples, 'blobs', 'notes.txt')}: ignored (not an image file name)`] });
	doc.results.forEach((result, i) => {
		expect(result).toMatchObject({ file: queries[i], label: reference[i].label, scoring: 'examples' });
		result.probabilities.forEach((p, c) => expect(p).toBeCloseTo(reference[i].probabilities[c], 9));
	});
});

test('--text-weight blends the label’s prompt in; --threshold reads the scores as for text classes', async () => {
	const doc = JSON.parse((await classify('--text-weight', '0.25', '--threshold', '0.5')).stdout) as ExamplesDocument;
	expect(doc.textWeight).toBe(0.25);
	for (const result of doc.results) expect(result.labels).toEqual(Math.max(...result.probabilities) >= 0.5 ? [result.label] : []);
});

test('--class with --examples, --text-weight without it or outside 0–1 are usage errors', async () => {
	expect((await classify('--class', 'cat')).code).toBe(2);
	expect((await runCli(['classify', '--model', model, '--class', 'cat', '--text-weight', '0.5', queries[0]])).code).toBe(2);
	const outside = await classify('--text-weight', '1.5');
	expect([outside.code, outside.stderr]).toEqual([2, expect.stringContaining('--text-weight must be a number from 0 to 1')]);
});

test('an examples folder with an empty class fails, naming the folder', async () => {
	mkdirSync(join(examples, 'empty'));
	try {
		const run = await classify();
		expect(run.code).toBe(1);
		expect(run.stderr).toContain(`the class folder ${join(examples, 'empty')} holds no example image`);
	} finally {
		rmSync(join(examples, 'empty'), { recursive: true });
	}
});
