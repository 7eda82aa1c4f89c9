/**
 * The Zero-Shot Image Classification node in a real n8n, loaded from the built package through
 * N8N_CUSTOM_EXTENSIONS, on tiny generated CLIP models and generated images:
 *
 *  (a) images read by Read/Write Files from Disk are classified exactly as the engine classifies
 *      them outside n8n (both model layouts), and every item is well formed;
 *  (b) each item may bring its own class list through an expression;
 *  (c) a corrupt image under "continue on fail" carries its error while the others are classified,
 *      and without it stops the run naming the item;
 *  (d) n8n loads the package without a word about its description, and hands the editor the node
 *      with its codex, both icons and the model presets;
 *  (f) the WebAssembly backend, forced in a workflow, gives the native probabilities within 1e-3.
 *
 * All workflows are imported at once and run one after another in one user folder (one n8n start
 * per execution, ~5 s each); the assertions then read their run data.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import {
	byFileName,
	chain,
	classifyNode,
	codeNode,
	DEFAULT_TEMPLATE,
	expectMatchesReference,
	expectWellFormed,
	explain,
	manualTrigger,
	maxAbsDifference,
	NODE_NAME,
	packageDescriptionWarnings,
	readFiles,
	referenceClassifications,
	REPO_ROOT,
	STANDARD_IMAGES,
	WASM_TOLERANCE,
	writeCorruptPng,
	writeImages,
	writeModels,
	type Classification,
} from './clipE2eFixtures';
import type { RunResult, Workflow } from './n8nRunner';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runner = require('./n8nRunner') as typeof import('./n8nRunner');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const server = require('./n8nServer') as typeof import('./n8nServer');

const layout = runner.getN8n();

interface LoadedNodeType {
	name: string;
	codex?: Record<string, unknown>;
	iconUrl?: { light: string; dark: string };
	properties: Array<{ name: string; options?: Array<{ value: string }> }>;
}

const DEFAULT_PRESET = 'clip-vit-base-patch32';

/** The preset ids the package ships (models/*.json). */
function presetIds(): string[] {
	return readdirSync(path.join(REPO_ROOT, 'models'))
		.filter((file) => file.endsWith('.json'))
		.map((file) => (JSON.parse(readFileSync(path.join(REPO_ROOT, 'models', file), 'utf8')) as { id: string }).id);
}
const timings: string[] = [];

/** Class names with a comma-separated string, as a user types them (spaces trimmed by the node). */
const CLASSES = ['red stripes', 'green checker', 'colour gradient', 'yellow blob', 'static noise'];

/** Per-item lists for (b), by file name: different lengths, and one image twice in another order. */
const PER_ITEM_CLASSES: Record<string, string[]> = {
	'stripes.png': ['red stripes', 'green checker', 'yellow blob'],
	'stripes-copy.png': ['yellow blob', 'red stripes', 'green checker'],
	'checker.jpg': ['chessboard', 'zebra'],
	'blobs.png': ['sun', 'moon', 'star', 'planet', 'comet', 'galaxy'],
};

describe(`Zero-Shot Image Classification in real n8n ${layout.version} (N8N_CUSTOM_EXTENSIONS)`, () => {
	let userFolder: string;
	let models: { hf: string; immich: string };
	let imageFiles: string[];
	const runs: Record<string, RunResult> = {};

	beforeAll(async () => {
		({ userFolder } = runner.createUserFolder('n8n-e2e-clip-'));
		const files = path.join(userFolder, 'files');
		models = await writeModels(path.join(files, 'models'));
		imageFiles = await writeImages(path.join(files, 'images'), STANDARD_IMAGES);
		await writeImages(path.join(files, 'per-item'), [
			{ name: 'stripes.png', kind: 'stripes' },
			{ name: 'stripes-copy.png', kind: 'stripes' },
			{ name: 'checker.jpg', kind: 'checker', format: 'jpeg' },
			{ name: 'blobs.png', kind: 'blobs' },
		]);
		await writeImages(path.join(files, 'mixed'), [
			{ name: 'a-stripes.png', kind: 'stripes' },
			{ name: 'c-blobs.png', kind: 'blobs' },
		]);
		writeCorruptPng(path.join(files, 'mixed', 'b-broken.png'));

		const images = (folder: string) => readFiles(path.join(files, folder, '*.{png,jpg,webp}'));
		const workflows: Record<string, Workflow> = {
			hf: chain('(a) hf layout', manualTrigger(), images('images'), classifyNode(models.hf, { classes: CLASSES.join(', ') })),
			immich: chain('(a) immich layout', manualTrigger(), images('images'), classifyNode(models.immich, { classes: CLASSES.join(',') })),
			perItem: chain(
				'(b) per-item classes',
				manualTrigger(),
				images('per-item'),
				codeNode(
					'Class lists',
					[
						`const lists = ${JSON.stringify(PER_ITEM_CLASSES)};`,
						'return $input.all().map((item) => ({ json: { ...item.json, classes: lists[item.binary.data.fileName] }, binary: item.binary }));',
					].join('\n'),
				),
				classifyNode(models.hf, { classes: '={{ $json.classes }}' }),
			),
			continueOnFail: chain(
				'(c) corrupt image, continue',
				manualTrigger(),
				images('mixed'),
				classifyNode(models.hf, { classes: CLASSES.join(', ') }, { onError: 'continueRegularOutput' }),
			),
			stopOnFail: chain('(c) corrupt image, stop', manualTrigger(), images('mixed'), classifyNode(models.hf, { classes: CLASSES.join(', ') })),
			wasm: chain(
				'(f) wasm backend',
				manualTrigger(),
				images('images'),
				classifyNode(models.hf, { classes: CLASSES.join(', '), options: { backend: 'wasm' } }),
			),
		};
		const names = Object.keys(workflows);
		const results = await runner.runWorkflows(Object.values(workflows), { packageDir: REPO_ROOT, userFolder });
		results.forEach((result, i) => {
			runs[names[i]] = result;
			timings.push(`${names[i]}: execute ${result.executeMs} ms`);
		});
		timings.unshift(`import of ${names.length} workflows: ${results[0].importMs} ms`);
	});

	afterAll(() => {
		if (userFolder) runner.removeUserFolder(userFolder);
		process.stderr.write(`\n[clip node e2e timings, n8n ${layout.version}]\n  ${timings.join('\n  ')}\n`);
	});

	/** The Classify node's items of a run that must have succeeded. */
	function classified(name: string): ReturnType<typeof runner.getNodeOutput> {
		const result = runs[name];
		if (!result.ok) throw new Error(explain(result));
		return runner.getNodeOutput(result, 'Classify');
	}

	function referenceFor(model: string, files: string[], classesOf: (file: string) => string[]): Map<string, Classification> {
		const results = referenceClassifications({ model, template: DEFAULT_TEMPLATE, requests: files.map((file) => ({ file, classes: classesOf(file) })) });
		return new Map(files.map((file, i) => [path.basename(file), results[i]]));
	}

	test.each(['hf', 'immich'] as const)('(a) images read from disk (%s layout): each item is classified as the engine classifies it', (name) => {
		const items = classified(name);
		expect(items.map((item) => item.json.fileName).sort()).toEqual(STANDARD_IMAGES.map((image) => image.name).sort());
		const expected = referenceFor(models[name], imageFiles, () => CLASSES);
		for (const [fileName, item] of byFileName(items)) {
			expectMatchesReference(item.json, expected.get(fileName) as Classification);
			// The item's binary and the input's JSON stay on it.
			expect(item.binary?.data?.fileName).toBe(fileName);
			expect(item.json.mimeType).toMatch(/^image\//);
		}
	});

	test('(b) class lists from an expression: every item is classified against its own list', () => {
		const items = byFileName(classified('perItem'));
		expect([...items.keys()].sort()).toEqual(Object.keys(PER_ITEM_CLASSES).sort());
		const folder = path.join(userFolder, 'files', 'per-item');
		const files = Object.keys(PER_ITEM_CLASSES).map((name) => path.join(folder, name));
		const expected = referenceFor(models.hf, files, (file) => PER_ITEM_CLASSES[path.basename(file)]);
		for (const [fileName, item] of items) {
			expect(item.json.classes).toEqual(PER_ITEM_CLASSES[fileName]);
			expectMatchesReference(item.json, expected.get(fileName) as Classification);
		}
		// The same image with its classes in another order: each class keeps its probability.
		const byClass = (json: Record<string, unknown>) =>
			Object.fromEntries((json.classes as string[]).map((c, i) => [c, (json.probabilities as number[])[i]]));
		const original = byClass((items.get('stripes.png') as { json: Record<string, unknown> }).json);
		const reordered = byClass((items.get('stripes-copy.png') as { json: Record<string, unknown> }).json);
		for (const name of Object.keys(original)) expect(reordered[name]).toBeCloseTo(original[name], 6);
	});

	test('(c) with continue on fail, the corrupt image carries its error and the others are classified', () => {
		const items = byFileName(classified('continueOnFail'));
		expect([...items.keys()].sort()).toEqual(['a-stripes.png', 'b-broken.png', 'c-blobs.png']);
		const broken = items.get('b-broken.png') as { json: Record<string, unknown> };
		expect(broken.json.error).toMatch(/^Item \d: .*(image|decode|unsupported)/i);
		expect(broken.json.probabilities).toBeUndefined();
		const folder = path.join(userFolder, 'files', 'mixed');
		const expected = referenceFor(models.hf, [path.join(folder, 'a-stripes.png'), path.join(folder, 'c-blobs.png')], () => CLASSES);
		for (const name of ['a-stripes.png', 'c-blobs.png']) {
			const item = items.get(name) as { json: Record<string, unknown> };
			expect(item.json.error).toBeUndefined();
			expectMatchesReference(item.json, expected.get(name) as Classification);
		}
	});

	test('(c) without continue on fail, the corrupt image stops the run with an error naming the item', () => {
		const result = runs.stopOnFail;
		expect(result.ok).toBe(false);
		const index = runner.getNodeOutput(result, 'Read images').findIndex((item) => item.json.fileName === 'b-broken.png');
		expect(index).toBeGreaterThanOrEqual(0);
		expect(result.error?.message).toMatch(new RegExp(`^Item ${index}: `));
		expect(runner.getNodeError(result, 'Classify')).toMatchObject({ message: result.error?.message });
	});

	test('(f) the WebAssembly backend forced in the workflow gives the native probabilities within 1e-3', () => {
		const native = byFileName(classified('hf'));
		const wasm = byFileName(classified('wasm'));
		let worst = 0;
		for (const [fileName, item] of wasm) {
			expectWellFormed(item.json, CLASSES);
			const reference = (native.get(fileName) as { json: Record<string, unknown> }).json;
			worst = Math.max(worst, maxAbsDifference(item.json.probabilities as number[], reference.probabilities as number[]));
		}
		expect(wasm.size).toBe(STANDARD_IMAGES.length);
		expect(worst).toBeLessThanOrEqual(WASM_TOLERANCE);
		// Bit-identical output would mean the option was ignored and native ran again.
		expect(worst).toBeGreaterThan(0);
		timings.push(`wasm vs native: max |Δp| = ${worst.toExponential(2)}`);
	});

	test('(d) n8n loads the package without a warning about its description, in any run', () => {
		for (const [name, result] of Object.entries(runs)) {
			expect({ name, warnings: packageDescriptionWarnings(result) }).toEqual({ name, warnings: [] });
			// The failing runs log their own error; anything else at warn/error level is unexpected.
			// (n8n's error reporter prints the node's error with its stack, then `n8n execute` its summary.)
			const ownError = result.error?.message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') ?? '(none)';
			const allow = name === 'stopOnFail' ? [/^NodeOperationError\b/, /^\s*Execution error:/, /^Error executing workflow/, new RegExp(`^${ownError}$`)] : [];
			expect({ name, warnings: runner.unexpectedWarnings(result, allow) }).toEqual({ name, warnings: [] });
		}
	});

	test('(d) the editor gets the node with its codex, both icons, its credential and the model presets', async () => {
		const port = await server.freePort();
		const env = await server.serverEnv({ layout, userFolder, port, customExtensions: [REPO_ROOT], logLevel: 'info' });
		const started = Date.now();
		const main = await server.startMain({ layout, env, cwd: userFolder, logFile: path.join(userFolder, 'editor-check.log') });
		timings.push(`n8n start (editor check): ${Date.now() - started} ms`);
		try {
			const cookie = await server.ownerSession(main.url);
			const { nodes, credentials } = await server.loadedTypes(main.url, cookie);
			const node = nodes.find((type) => type.name === `CUSTOM.${NODE_NAME}`) as LoadedNodeType | undefined;
			if (!node) throw new Error(`n8n does not serve CUSTOM.${NODE_NAME}`);
			expect(node.codex).toMatchObject({ categories: expect.arrayContaining(['AI']), alias: expect.arrayContaining(['CLIP']) });
			for (const theme of ['light', 'dark'] as const) {
				const icon = await server.request('GET', `${main.url}/${node.iconUrl?.[theme]}`, undefined, { cookie });
				expect({ theme, status: icon.status, type: icon.headers['content-type'] }).toEqual({ theme, status: 200, type: expect.stringMatching(/^image\/svg\+xml/) });
			}
			const modelOptions = node.properties.find((p) => p.name === 'model')?.options?.map((o) => o.value);
			// Every preset the package ships (read from dist/models at load time), the default first, then the folder option.
			expect([...(modelOptions ?? [])].sort()).toEqual([...presetIds(), 'custom'].sort());
			expect(modelOptions?.[0]).toBe(DEFAULT_PRESET);
			expect(modelOptions?.at(-1)).toBe('custom');
			const credential = credentials.find((type) => type.name === 'huggingFaceHubApi') as { iconUrl?: unknown } | undefined;
			expect(credential?.iconUrl).toBeDefined();
		} finally {
			await main.stop();
		}
	});
});
