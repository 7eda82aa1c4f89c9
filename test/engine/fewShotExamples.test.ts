/**
 * The few-shot task of issue 21 on the tiny random-weight test model: each class is one base
 * picture (generated scenes, plus the conformance photos when ../shared is there), its 5 examples
 * and 10 queries re-upload variants of it. Random weights cannot show accuracy on real classes,
 * so this shows the mechanism: classes from examples put the queries in their class, where text
 * prompts on the same model are near chance.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { classifyImages, classifyImagesByExamples, ClipModel, folderExampleClasses, type Classification } from '../../engine';
import { fewShotTask, QUERIES_PER_CLASS, type FewShotClass } from '../fixtures/fewShotTask';
import { testModelPaths } from '../fixtures/testModels';

let model: ClipModel;
let task: FewShotClass[];
let folder: string;

beforeAll(async () => {
	model = await ClipModel.load(testModelPaths().hf.dir);
	task = await fewShotTask();
	folder = mkdtempSync(join(tmpdir(), 'zsic-few-shot-'));
	for (const c of task) {
		mkdirSync(join(folder, c.label));
		c.examples.forEach((bytes, k) => writeFileSync(join(folder, c.label, `${k + 1}.jpg`), bytes));
	}
}, 120_000);
afterAll(async () => {
	await model.release();
	rmSync(folder, { recursive: true, force: true });
});

function accuracy(results: Array<Classification | Error>, expected: readonly string[]): number {
	return results.filter((r, i) => !(r instanceof Error) && r.label === expected[i]).length / expected.length;
}

test('classes from 5 example images put at least 95 % of the queries in their class; text prompts do not', async () => {
	expect(task.length).toBeGreaterThanOrEqual(6);
	const queries = task.flatMap((c) => c.queries);
	const expected = task.flatMap((c) => Array<string>(QUERIES_PER_CLASS).fill(c.label));
	const { classes } = await folderExampleClasses(model, folder, { cacheExamples: false });
	const fromExamples = accuracy(await classifyImagesByExamples(model, queries, classes), expected);
	const labels = task.map((c) => c.label);
	const fromText = accuracy(await classifyImages(model, queries.map((image) => ({ image, classes: labels }))), expected);
	console.log(
		`few-shot task, ${task.length} classes × ${QUERIES_PER_CLASS} queries on the tiny test model: ` +
			`classes from examples ${(100 * fromExamples).toFixed(1)} %, text prompts ${(100 * fromText).toFixed(1)} % (chance ${(100 / task.length).toFixed(1)} %)`,
	);
	expect(fromExamples).toBeGreaterThanOrEqual(0.95);
}, 120_000);
