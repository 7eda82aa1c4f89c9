/**
 * A SigLIP-shaped test model in real n8n: sigmoid scores (each class on its own, not summing to 1)
 * equal to the engine's, `scoring: "sigmoid"` on every item, and multi-label routing on them.
 */
import path from 'node:path';

import { chain, classifyNode, explain, manualTrigger, maxAbsDifference, readFiles, referenceClassifications, REPO_ROOT, STANDARD_IMAGES, writeImages, writeSiglipModel, type Classification } from './clipE2eFixtures';
import type { RunResult } from './n8nRunner';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runner = require('./n8nRunner') as typeof import('./n8nRunner');

const layout = runner.getN8n();
const CLASSES = ['cat', 'dog', 'car', 'beach'];
const TEMPLATE = 'a photo of a {}.';

describe(`SigLIP (sigmoid scores) in real n8n ${layout.version}`, () => {
	let userFolder: string;
	const runs: Record<string, RunResult> = {};
	let reference: Map<string, Classification>;
	let multiLabelFile: string;
	let multiLabelThreshold: number;

	beforeAll(async () => {
		({ userFolder } = runner.createUserFolder('n8n-e2e-siglip-'));
		const files = path.join(userFolder, 'files');
		const model = await writeSiglipModel(path.join(files, 'models'));
		const imageFiles = await writeImages(path.join(files, 'images'), STANDARD_IMAGES);
		const results = referenceClassifications({ model, template: TEMPLATE, requests: imageFiles.map((file) => ({ file, classes: CLASSES })) });
		reference = new Map(imageFiles.map((file, i) => [path.basename(file), results[i]]));
		const ranked = results.map((r, i) => ({ i, sorted: [...r.probabilities].sort((a, b) => b - a) })).sort((a, b) => b.sorted[1] - b.sorted[2] - (a.sorted[1] - a.sorted[2]));
		multiLabelFile = imageFiles[ranked[0].i];
		multiLabelThreshold = (ranked[0].sorted[1] + ranked[0].sorted[2]) / 2;
		const classify = (parameters: Record<string, unknown>) => classifyNode(model, { classes: CLASSES.join(', '), promptTemplate: TEMPLATE, ...parameters });
		const workflows = {
			single: chain('SigLIP, one output', manualTrigger(), readFiles(path.join(files, 'images/*.{png,jpg,webp}')), classify({})),
			multiLabel: chain(
				'SigLIP, routed multi-label',
				manualTrigger(),
				readFiles(path.join(files, 'images', path.basename(multiLabelFile))),
				classify({ output: 'perClass', options: { confidenceThreshold: multiLabelThreshold, multiLabel: true } }),
			),
		};
		const names = Object.keys(workflows);
		const done = await runner.runWorkflows(Object.values(workflows), { packageDir: REPO_ROOT, userFolder });
		done.forEach((result, i) => (runs[names[i]] = result));
	});

	afterAll(() => {
		if (userFolder) runner.removeUserFolder(userFolder);
	});

	function output(name: string, index = 0): ReturnType<typeof runner.getNodeOutput> {
		const result = runs[name];
		if (!result.ok) throw new Error(explain(result));
		return runner.getNodeOutput(result, 'Classify', { output: index });
	}

	test('every image is scored with sigmoid scores equal to the engine’s, marked "sigmoid", not summing to 1', () => {
		const items = output('single');
		expect(items).toHaveLength(STANDARD_IMAGES.length);
		for (const item of items) {
			const expected = reference.get(item.json.fileName as string) as Classification;
			expect(item.json.scoring).toBe('sigmoid');
			expect(item.json.classes).toEqual(CLASSES);
			expect(item.json.label).toBe(expected.label);
			expect(maxAbsDifference(item.json.probabilities as number[], expected.probabilities)).toBeLessThan(1e-4);
			const sum = (item.json.probabilities as number[]).reduce((a, b) => a + b, 0);
			expect(Math.abs(sum - 1)).toBeGreaterThan(0.01);
		}
	});

	test('multi-label routing on sigmoid scores sends the image to each class that passes the threshold', () => {
		const r = reference.get(path.basename(multiLabelFile)) as Classification;
		const expected = CLASSES.filter((_, c) => r.probabilities[c] >= multiLabelThreshold);
		expect(expected.length).toBeGreaterThanOrEqual(2);
		const receivedOn = CLASSES.filter((_, c) => output('multiLabel', c).length === 1);
		expect(receivedOn).toEqual(expected);
		expect(output('multiLabel', CLASSES.length)).toEqual([]);
		for (const c of expected.map((label) => CLASSES.indexOf(label))) expect(output('multiLabel', c)[0].json).toMatchObject({ scoring: 'sigmoid', matched: true });
	});
});
