/**
 * The example workflows users import (examples/*.json) run in real n8n as shipped — only the model
 * (a tiny generated one instead of the preset download) and the triage folders are filled in, by
 * the same code `npm start` uses — so they cannot rot:
 *
 *  - image triage: Read Files from Disk → classify → Switch on `label` → Write Files to Disk, each
 *    image ends up in the folder of the label the engine gives it;
 *  - image triage, routed by class: the same without a Switch, the node's own outputs routing each
 *    image into its class folder and low scores into `other/`;
 *  - HTTP API: `n8n start` with the workflow active, real HTTP requests to
 *    POST /webhook/zero-shot-image-classification — one image, a list (batched), a prompt template
 *    in `config`, and bad requests answered 400 with the node's error;
 *  - `npm start` itself: one command brings n8n up with the package and the examples, and Ctrl-C
 *    stops it, leaving nothing running.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import {
	dataUrl,
	DEFAULT_TEMPLATE,
	explain,
	maxAbsDifference,
	packageDescriptionWarnings,
	referenceClassifications,
	REPO_ROOT,
	SAME_ENGINE_TOLERANCE,
	STANDARD_IMAGES,
	writeImages,
	writeModels,
	type Classification,
} from './clipE2eFixtures';
import type { N8nServer } from './n8nServer';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runner = require('./n8nRunner') as typeof import('./n8nRunner');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const server = require('./n8nServer') as typeof import('./n8nServer');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const examples = require('../../scripts/exampleWorkflows') as {
	loadExample(name: 'triage' | 'triageRouted' | 'httpApi'): import('./n8nRunner').Workflow;
	withModel<W>(workflow: W, model: string): W;
	withClassifyOptions<W>(workflow: W, options: Record<string, unknown>): W;
	withTriageFolders<W>(workflow: W, folders: { inbox: string; sorted: string }): W;
	triageLabels(workflow: unknown): { classes: string[]; folders: string[] };
	prepareTriageFolders(workflow: unknown, folders: { inbox: string; sorted: string }): void;
	PACKAGE_NAME: string;
};

const layout = runner.getN8n();
const WEBHOOK_PATH = '/webhook/zero-shot-image-classification';

/** Pids of the processes whose environment holds `entry` (how to find n8n and its task runner). */
function processesWithEnv(entry: string): number[] {
	const pids: number[] = [];
	for (const name of readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) continue;
		try {
			if (readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(entry)) pids.push(Number(name));
		} catch {
			// gone, or not ours to read
		}
	}
	return pids;
}

function classifyParameters(workflow: import('./n8nRunner').Workflow): Record<string, string> {
	const node = workflow.nodes.find((n) => String(n.type).endsWith('.zeroShotImageClassification'));
	return (node as { parameters: Record<string, string> }).parameters;
}

describe(`the example workflows in real n8n ${layout.version}`, () => {
	let userFolder: string;
	let filesDir: string;
	let model: string;
	let imageFiles: string[];
	const timings: string[] = [];

	beforeAll(async () => {
		({ userFolder, filesDir } = runner.createUserFolder('n8n-e2e-examples-'));
		model = (await writeModels(path.join(filesDir, 'models'))).hf;
		imageFiles = await writeImages(path.join(filesDir, 'images'), [
			...STANDARD_IMAGES,
			{ name: 'stripes-2.jpg', kind: 'stripes', format: 'jpeg', seed: 1 },
			{ name: 'blobs-2.png', kind: 'blobs', seed: 2 },
			{ name: 'checker-2.webp', kind: 'checker', format: 'webp', seed: 1 },
		]);
	});

	afterAll(() => {
		if (userFolder) runner.removeUserFolder(userFolder);
		process.stderr.write(`\n[examples e2e timings, n8n ${layout.version}]\n  ${timings.join('\n  ')}\n`);
	});

	test('the examples use the published node type, and the triage Switch has one output per class', () => {
		const triage = examples.loadExample('triage');
		const { classes } = examples.triageLabels(triage);
		const switchNode = triage.nodes.find((n) => n.type === 'n8n-nodes-base.switch') as { parameters: { rules: { values: Array<{ outputKey: string }> } } };
		expect(switchNode.parameters.rules.values.map((rule) => rule.outputKey)).toEqual(classes);
		const routed = examples.loadExample('triageRouted');
		expect(routed.nodes.map((n) => n.type)).not.toContain('n8n-nodes-base.switch');
		expect(examples.triageLabels(routed).classes).toEqual(classes);
		for (const name of ['triage', 'triageRouted', 'httpApi'] as const) {
			const types = examples.loadExample(name).nodes.map((n) => n.type);
			expect(types).toContain(`${examples.PACKAGE_NAME}.zeroShotImageClassification`);
		}
	});

	test('image triage: every image is written into the folder of the label the engine gives it', async () => {
		const folders = { inbox: path.join(filesDir, 'inbox'), sorted: path.join(filesDir, 'sorted') };
		const workflow = examples.withTriageFolders(examples.withModel(examples.loadExample('triage'), model), folders);
		examples.prepareTriageFolders(workflow, folders);
		for (const file of imageFiles) copyFileSync(file, path.join(folders.inbox, path.basename(file)));

		const result = await runner.runWorkflow(workflow, { packageDir: REPO_ROOT, userFolder });
		timings.push(`triage: import ${result.importMs} ms, execute ${result.executeMs} ms`);
		if (!result.ok) throw new Error(explain(result));
		expect(packageDescriptionWarnings(result)).toEqual([]);
		expect(runner.unexpectedWarnings(result)).toEqual([]);

		const { classes, folders: labelFolders } = examples.triageLabels(workflow);
		const parameters = classifyParameters(workflow);
		const reference = referenceClassifications({
			model,
			template: parameters.promptTemplate,
			requests: imageFiles.map((file) => ({ file, classes })),
		});
		const expectedFolder = new Map(imageFiles.map((file, i) => [path.basename(file), reference[i].label]));
		const written = new Map<string, string>();
		for (const label of labelFolders) {
			for (const name of readdirSync(path.join(folders.sorted, label))) written.set(name, label);
		}
		expect(Object.fromEntries(written)).toEqual(Object.fromEntries(expectedFolder));
		for (const [name, label] of written) {
			expect(readFileSync(path.join(folders.sorted, label, name)).equals(readFileSync(path.join(folders.inbox, name)))).toBe(true);
		}
	});

	test('image triage routed by class: each image lands in its class folder, a low-confidence one in other/', async () => {
		const folders = { inbox: path.join(filesDir, 'routed-inbox'), sorted: path.join(filesDir, 'routed-sorted') };
		let workflow = examples.withModel(examples.loadExample('triageRouted'), model);
		const { classes, folders: labelFolders } = examples.triageLabels(workflow);
		const parameters = classifyParameters(workflow);
		const reference = referenceClassifications({ model, template: parameters.promptTemplate, requests: imageFiles.map((file) => ({ file, classes })) });
		// The shipped threshold (0.5) is for a real CLIP model; the tiny random one scores lower, so
		// the test sets one between its scores: the images under it must land in other/.
		const best = reference.map((r) => r.score).sort((a, b) => a - b);
		const threshold = (best[1] + best[2]) / 2;
		workflow = examples.withTriageFolders(examples.withClassifyOptions(workflow, { confidenceThreshold: threshold }), folders);
		examples.prepareTriageFolders(workflow, folders);
		for (const file of imageFiles) copyFileSync(file, path.join(folders.inbox, path.basename(file)));

		const result = await runner.runWorkflow(workflow, { packageDir: REPO_ROOT, userFolder });
		timings.push(`triage routed: import ${result.importMs} ms, execute ${result.executeMs} ms`);
		if (!result.ok) throw new Error(explain(result));
		expect(runner.unexpectedWarnings(result)).toEqual([]);

		const expectedFolder = new Map(imageFiles.map((file, i) => [path.basename(file), reference[i].score >= threshold ? reference[i].label : 'other']));
		expect([...expectedFolder.values()].filter((label) => label === 'other')).toHaveLength(2);
		const written = new Map<string, string>();
		for (const label of labelFolders) {
			for (const name of readdirSync(path.join(folders.sorted, label))) written.set(name, label);
		}
		expect(Object.fromEntries(written)).toEqual(Object.fromEntries(expectedFolder));
	});

	describe('HTTP API, served by `n8n start` with the workflow active', () => {
		let main: N8nServer;
		let url: string;

		beforeAll(async () => {
			const workflow = runner.rewriteNodeTypes(examples.withModel(examples.loadExample('httpApi'), model), examples.PACKAGE_NAME, runner.CUSTOM_PACKAGE_NAME);
			const port = await server.freePort();
			const env = await server.serverEnv({ layout, userFolder, port, customExtensions: [REPO_ROOT] });
			let started = Date.now();
			await server.importAndActivate(layout, [workflow], { env, cwd: userFolder });
			timings.push(`http-api: import + activate ${Date.now() - started} ms`);
			started = Date.now();
			main = await server.startMain({ layout, env, cwd: userFolder, logFile: path.join(userFolder, 'http-api.log') });
			timings.push(`http-api: n8n start ${Date.now() - started} ms`);
			url = `${main.url}${WEBHOOK_PATH}`;
			await server.waitForWebhook(url, { proc: main });
			timings.push(`http-api: n8n start until the webhook is registered ${Date.now() - started} ms`);
		});

		afterAll(async () => {
			if (main) await main.stop();
		});

		const reference = (files: string[], classes: string[], template = DEFAULT_TEMPLATE): Classification[] =>
			referenceClassifications({ model, template, requests: files.map((file) => ({ file, classes })) });

		test('one image as a data URL: { probabilities } in the order of the classes', async () => {
			const classes = ['cat', 'dog', 'car'];
			const started = Date.now();
			const response = await server.request('POST', url, { image: dataUrl(imageFiles[1]), classes });
			timings.push(`http-api: first request (loads the model) ${Date.now() - started} ms`);
			expect(response.status).toBe(200);
			expect(Object.keys(response.body as object)).toEqual(['probabilities']);
			const { probabilities } = response.body as { probabilities: number[] };
			expect(maxAbsDifference(probabilities, reference([imageFiles[1]], classes)[0].probabilities)).toBeLessThan(SAME_ENGINE_TOLERANCE);
		});

		test('a list of images (data URLs or bare base64): one list of probabilities per image, in order', async () => {
			const files = imageFiles.slice(0, 4);
			const classes = ['stripes', 'checkerboard', 'gradient', 'blob'];
			const images = files.map((file, i) => (i % 2 === 0 ? dataUrl(file) : readFileSync(file).toString('base64')));
			const response = await server.request('POST', url, { image: images, classes, config: {} });
			expect(response.status).toBe(200);
			const { probabilities } = response.body as { probabilities: number[][] };
			const expected = reference(files, classes);
			expect(probabilities).toHaveLength(files.length);
			probabilities.forEach((p, i) => expect(maxAbsDifference(p, expected[i].probabilities)).toBeLessThan(SAME_ENGINE_TOLERANCE));
		});

		test('config.template replaces the prompt template', async () => {
			const classes = ['a red striped flag', 'a green chessboard'];
			const response = await server.request('POST', url, { image: dataUrl(imageFiles[0]), classes, config: { template: '{}' } });
			expect(response.status).toBe(200);
			const { probabilities } = response.body as { probabilities: number[] };
			expect(maxAbsDifference(probabilities, reference([imageFiles[0]], classes, '{}')[0].probabilities)).toBeLessThan(SAME_ENGINE_TOLERANCE);
			const withDefault = reference([imageFiles[0]], classes)[0].probabilities;
			expect(maxAbsDifference(probabilities, withDefault)).toBeGreaterThan(0);
		});

		test('config.threshold and config.multi_label answer the matched labels too', async () => {
			const classes = ['cat', 'dog', 'car'];
			const [expected] = reference([imageFiles[1]], classes);
			const sorted = [...expected.probabilities].sort((a, b) => b - a);
			const threshold = (sorted[1] + sorted[2]) / 2;
			const single = await server.request('POST', url, { image: dataUrl(imageFiles[1]), classes, config: { threshold } });
			expect(single.status).toBe(200);
			expect(single.body).toMatchObject({ labels: [expected.label], matched: true });
			const multi = await server.request('POST', url, { image: dataUrl(imageFiles[1]), classes, config: { threshold, multi_label: true } });
			expect(multi.status).toBe(200);
			const passing = classes.filter((_, c) => expected.probabilities[c] >= threshold);
			expect(((multi.body as { labels: string[] }).labels).sort()).toEqual(passing.sort());
			expect(Object.keys(multi.body as object).sort()).toEqual(['labels', 'matched', 'probabilities']);
			const none = await server.request('POST', url, { image: dataUrl(imageFiles[1]), classes, config: { threshold: Math.min(1, sorted[0] + 1e-6) } });
			expect(none.body).toMatchObject({ labels: [], matched: false });
		});

		test('config.multi_label without a threshold is answered 400 with the reason', async () => {
			const response = await server.request('POST', url, { image: dataUrl(imageFiles[1]), classes: ['a', 'b'], config: { multi_label: true } });
			expect(response.status).toBe(400);
			expect((response.body as { error: string }).error).toMatch(/multi-label needs a threshold above 0/);
		});

		test.each([
			['a malformed data URL', { image: 'data:image/png;base64', classes: ['a', 'b'] }, /malformed data URL/],
			['something that is not an image', { image: `data:image/png;base64,${Buffer.from('not an image at all').toString('base64')}`, classes: ['a', 'b'] }, /not a readable image/],
			['an empty class list', { image: 'data:image/png;base64,AAAA', classes: [] }, /class list is empty/],
			['no image', { classes: ['a', 'b'] }, /no JSON field "body.image"/],
		])('%s is answered 400 with the error', async (_what, body, message) => {
			const response = await server.request('POST', url, body);
			expect(response.status).toBe(400);
			expect((response.body as { error: string }).error).toMatch(message);
		});
	});

	test('`npm start` brings n8n up with the package and the examples, and Ctrl-C stops all of it', async () => {
		const startFolder = path.join(userFolder, 'npm-start');
		const port = await server.freePort();
		const started = Date.now();
		const child = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts', 'start.js'), '--port', String(port), '--user-folder', startFolder, '--model', model], {
			cwd: REPO_ROOT,
			env: { ...process.env, NODE_ENV: '' },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let output = '';
		child.stdout.on('data', (chunk) => (output += chunk));
		child.stderr.on('data', (chunk) => (output += chunk));
		const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
		try {
			const deadline = Date.now() + 180_000;
			while (!output.includes('Stop: Ctrl-C')) {
				if (child.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not come up:\n${output.slice(-4000)}`);
				await new Promise((resolve) => setTimeout(resolve, 200));
			}
			timings.push(`npm start: ready in ${Date.now() - started} ms`);
			expect(output).toContain(`n8n is running with n8n-nodes-zero-shot-image-classification: http://127.0.0.1:${port}`);
			// Every example is imported. (The owner first: on n8n 1.x, the instance's first production
			// execution can overwrite an owner account created while it finishes.)
			const cookie = await server.ownerSession(`http://127.0.0.1:${port}`);
			const workflows = await server.request('GET', `http://127.0.0.1:${port}/rest/workflows`, undefined, { cookie });
			const names = ((workflows.body as { data?: Array<{ name: string }> }).data ?? []).map((w) => w.name);
			expect(names.sort()).toEqual([
				'Feature extraction API (data table store)',
				'HTTP API: zero-shot image classification',
				'Image near-duplicates (CLIP embeddings in PostgreSQL)',
				'Image triage (zero-shot CLIP)',
				'Image triage, routed by class (zero-shot CLIP)',
				'Re-triage stored image embeddings (PostgreSQL, no image decoding)',
			]);
			// The HTTP API example is active; the triage example's folders exist.
			const response = await server.request('POST', `http://127.0.0.1:${port}${WEBHOOK_PATH}`, { image: dataUrl(imageFiles[0]), classes: ['a', 'b'] });
			expect(response.status).toBe(200);
			// So is the feature-extraction API, at the base URL it prints, its server model names
			// served by the model given to npm start (a folder here).
			const baseUrl = `http://127.0.0.1:${port}/webhook/feature-extraction`;
			expect(output).toContain(`change only their base URL, to ${baseUrl}`);
			const posted = await server.request('POST', `${baseUrl}/api/tasks/zero-shot-image-classification/clip-vit-large-patch14/jobs`, { image: dataUrl(imageFiles[0]), classes: ['a', 'b'] });
			expect(posted).toMatchObject({ status: 200, body: { status: 'starting' } });
			const jobUrl = `${baseUrl}/api/tasks/zero-shot-image-classification/jobs/${(posted.body as { id: string }).id}`;
			let job = (await server.request('GET', jobUrl)).body as { status: string; result?: { probabilities: number[] } };
			for (const until = Date.now() + 60_000; job.status !== 'complete' && job.status !== 'failed' && Date.now() < until; ) {
				await new Promise((resolve) => setTimeout(resolve, 100));
				job = (await server.request('GET', jobUrl)).body as typeof job;
			}
			expect(job.status).toBe('complete');
			expect(job.result!.probabilities).toHaveLength(2);
			expect(existsSync(path.join(startFolder, 'files', 'inbox'))).toBe(true);
		} finally {
			// Ctrl-C: the terminal sends SIGINT to npm start.
			child.kill('SIGINT');
		}
		expect(await exited).toBe(0);
		expect(output).toContain('n8n stopped');
		// Nothing listens on the port any more, and no n8n process of this user folder is left.
		await expect(server.request('GET', `http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
		const leftovers = processesWithEnv(`N8N_USER_FOLDER=${startFolder}`);
		expect(leftovers).toEqual([]);
	});
});
