/**
 * One Branch per Class in a real n8n (the package loaded through N8N_CUSTOM_EXTENSIONS, tiny
 * generated CLIP model): the node itself routes each image to the output of its reference top-1
 * class, low scores to "Other"; multi-label sends an image to two outputs when two scores pass;
 * under "Continue (using error output)" a corrupt image still reaches n8n's error output.
 */
import path from 'node:path';

import {
	chain,
	classifyNode,
	DEFAULT_TEMPLATE,
	expectMatchesReference,
	explain,
	manualTrigger,
	readFiles,
	referenceClassifications,
	REPO_ROOT,
	STANDARD_IMAGES,
	writeCorruptPng,
	writeImages,
	writeModels,
	type Classification,
} from './clipE2eFixtures';
import type { RunResult, Workflow } from './n8nRunner';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runner = require('./n8nRunner') as typeof import('./n8nRunner');

const layout = runner.getN8n();
/** Four classes, so that the node draws four class outputs and "Other". */
const CLASSES = ['red stripes', 'green checker', 'colour gradient', 'yellow blob'];
const OTHER = CLASSES.length;

describe(`One Branch per Class in real n8n ${layout.version}`, () => {
	let userFolder: string;
	const runs: Record<string, RunResult> = {};
	let reference: Map<string, Classification>;
	let threshold: number;
	let multiLabelThreshold: number;
	let multiLabelFile: string;

	beforeAll(async () => {
		({ userFolder } = runner.createUserFolder('n8n-e2e-routing-'));
		const files = path.join(userFolder, 'files');
		const model = (await writeModels(path.join(files, 'models'))).hf;
		const imageFiles = await writeImages(path.join(files, 'images'), STANDARD_IMAGES);
		await writeImages(path.join(files, 'mixed'), [
			{ name: 'a-stripes.png', kind: 'stripes' },
			{ name: 'c-blobs.png', kind: 'blobs' },
		]);
		writeCorruptPng(path.join(files, 'mixed', 'b-broken.png'));
		const results = referenceClassifications({ model, template: DEFAULT_TEMPLATE, requests: imageFiles.map((file) => ({ file, classes: CLASSES })) });
		reference = new Map(imageFiles.map((file, i) => [path.basename(file), results[i]]));
		// A threshold between the second and third lowest best scores: two images go to Other.
		const best = results.map((r) => r.score).sort((a, b) => a - b);
		threshold = (best[1] + best[2]) / 2;
		// The image whose second best score is highest, and a threshold that its two best classes pass.
		const ranked = results.map((r, i) => ({ i, sorted: [...r.probabilities].sort((a, b) => b - a) })).sort((a, b) => b.sorted[1] - a.sorted[1]);
		multiLabelFile = imageFiles[ranked[0].i];
		multiLabelThreshold = (ranked[0].sorted[1] + ranked[0].sorted[2]) / 2;

		const images = (selector: string) => readFiles(path.join(files, selector));
		const routed = (options: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
			classifyNode(model, { classes: CLASSES.join(', '), output: 'perClass', options }, extra);
		const workflows: Record<string, Workflow> = {
			routed: chain('routed, 4 classes + Other', manualTrigger(), images('images/*.{png,jpg,webp}'), routed({ confidenceThreshold: threshold })),
			multiLabel: chain('routed, multi-label', manualTrigger(), images(`images/${path.basename(multiLabelFile)}`), routed({ confidenceThreshold: multiLabelThreshold, multiLabel: true })),
			errorOutput: chain('routed, error output', manualTrigger(), images('mixed/*.png'), routed({}, { onError: 'continueErrorOutput' })),
		};
		const names = Object.keys(workflows);
		const done = await runner.runWorkflows(Object.values(workflows), { packageDir: REPO_ROOT, userFolder });
		done.forEach((result, i) => (runs[names[i]] = result));
	});

	afterAll(() => {
		if (userFolder) runner.removeUserFolder(userFolder);
	});

	function output(name: string, index: number): ReturnType<typeof runner.getNodeOutput> {
		const result = runs[name];
		if (!result.ok) throw new Error(explain(result));
		return runner.getNodeOutput(result, 'Classify', { output: index });
	}
	const fileNames = (items: ReturnType<typeof runner.getNodeOutput>) => items.map((item) => item.json.fileName as string).sort();

	test('each image leaves on the output of its reference top-1 class, with its scores; low scores on Other', () => {
		for (let c = 0; c < CLASSES.length; c++) {
			const expected = [...reference].filter(([, r]) => r.label === CLASSES[c] && r.score >= threshold).map(([name]) => name);
			expect(fileNames(output('routed', c))).toEqual(expected.sort());
			for (const item of output('routed', c)) expectMatchesReference(item.json, reference.get(item.json.fileName as string) as Classification);
		}
		const low = [...reference].filter(([, r]) => r.score < threshold).map(([name]) => name);
		expect(low).toHaveLength(2);
		expect(fileNames(output('routed', OTHER))).toEqual(low.sort());
		for (const item of output('routed', OTHER)) expect(item.json).toMatchObject({ matched: false, labels: [] });
	});

	test('multi-label sends the image to both outputs whose scores pass, each copy paired with it', () => {
		const r = reference.get(path.basename(multiLabelFile)) as Classification;
		const expected = CLASSES.filter((_, c) => r.probabilities[c] >= multiLabelThreshold);
		expect(expected).toHaveLength(2);
		const receivedOn = CLASSES.filter((_, c) => output('multiLabel', c).length === 1);
		expect(receivedOn).toEqual(expected);
		expect(output('multiLabel', OTHER)).toEqual([]);
		for (let c = 0; c < CLASSES.length; c++) for (const item of output('multiLabel', c)) expect(item.pairedItem).toEqual({ item: 0 });
	});

	test('under "Continue (using error output)" the corrupt image reaches the error output, the others their classes', () => {
		const routedNames = CLASSES.flatMap((_, c) => fileNames(output('errorOutput', c)));
		expect(routedNames.sort()).toEqual(['a-stripes.png', 'c-blobs.png']);
		expect(output('errorOutput', OTHER)).toEqual([]);
		const errors = output('errorOutput', OTHER + 1);
		expect(errors).toHaveLength(1);
		expect(String(errors[0].json.error)).toMatch(/^Item \d: .*(image|decode)/i);
	});
});
