/**
 * The package as users get it from Settings → Community Nodes: `npm pack` of the built package,
 * then n8n's own install procedure (unpack into `<user folder>/.n8n/nodes/node_modules/<name>`,
 * devDependencies, peerDependencies and optionalDependencies dropped, `npm install
 * --ignore-scripts`). Proves the tarball is complete (code, presets, icons, codex, the WebAssembly
 * runtime) and that nothing depends on an install script: the installed package classifies
 * exactly as the engine does, on the native and the WebAssembly backend, and n8n's editor gets its
 * node with both icons. Installed by hand (`npm install <tarball>` in the nodes folder, which also
 * brings a second n8n-workflow as the peer dependency) it works the same.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import {
	byFileName,
	chain,
	classifyNode,
	DEFAULT_TEMPLATE,
	expectMatchesReference,
	explain,
	manualTrigger,
	NODE_TYPE,
	PACKAGE_NAME,
	packageDescriptionWarnings,
	readFiles,
	referenceClassifications,
	REPO_ROOT,
	STANDARD_IMAGES,
	WASM_TOLERANCE,
	writeImages,
	writeModels,
	type Classification,
} from './clipE2eFixtures';
import type { CommunityInstall, RunResult } from './n8nRunner';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runner = require('./n8nRunner') as typeof import('./n8nRunner');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const server = require('./n8nServer') as typeof import('./n8nServer');

const layout = runner.getN8n();
const CLASSES = ['red stripes', 'green checker', 'colour gradient', 'yellow blob', 'static noise'];
const RUNTIME_DEPENDENCIES = ['@huggingface/tokenizers', 'onnxruntime-node', 'onnxruntime-web', 'sharp'];

interface Manifest {
	name: string;
	version: string;
	bin?: Record<string, string>;
	files?: string[];
	scripts?: Record<string, string>;
	dependencies?: Record<string, string>;
	optionalDependencies?: Record<string, string>;
	peerDependencies?: Record<string, string>;
	n8n: { nodes: string[]; credentials: string[] };
}

describe(`the packed package installed the Community Nodes way into real n8n ${layout.version}`, () => {
	let userFolder: string;
	let tarball: string;
	let entries: string[];
	let packed: Manifest;
	let installed: CommunityInstall;
	let model: string;
	let imageFiles: string[];
	const runs: Record<string, RunResult> = {};
	const timings: string[] = [];

	beforeAll(async () => {
		({ userFolder } = runner.createUserFolder('n8n-e2e-community-'));
		const files = path.join(userFolder, 'files');
		model = (await writeModels(path.join(files, 'models'))).hf;
		imageFiles = await writeImages(path.join(files, 'images'), STANDARD_IMAGES);

		tarball = runner.packPackage(REPO_ROOT, mkdtempSync(path.join(userFolder, 'pack-')));
		entries = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
		packed = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })) as Manifest;

		installed = runner.installCommunityPackage(tarball, { userFolder });
		timings.push(`community install (n8n's procedure, npm install --ignore-scripts): ${installed.installMs} ms`);

		const classify = (options: Record<string, unknown>) => classifyNode(model, { classes: CLASSES.join(', '), options });
		const images = readFiles(path.join(files, 'images', '*.{png,jpg,webp}'));
		const [native, wasm] = await runner.runWorkflows(
			[chain('community: native', manualTrigger(), images, classify({})), chain('community: wasm', manualTrigger(), images, classify({ backend: 'wasm' }))],
			{ userFolder },
		);
		Object.assign(runs, { native, wasm });
		timings.push(`import ${native.importMs} ms, native run ${native.executeMs} ms, wasm run ${wasm.executeMs} ms`);
	});

	afterAll(() => {
		if (userFolder) runner.removeUserFolder(userFolder);
		process.stderr.write(`\n[community install e2e timings, n8n ${layout.version}]\n  ${timings.join('\n  ')}\n`);
	});

	test('the tarball holds the built code, every node and credential file n8n is told about, icons, codex, presets and the docs pages the node links', () => {
		const files = new Set(entries.map((entry) => entry.replace(/^package\//, '')));
		const expected = [
			'package.json',
			'README.md',
			'dist/engine/index.js',
			'dist/cli/clip-classify.js',
			...packed.n8n.nodes,
			...packed.n8n.credentials,
			'dist/nodes/ZeroShotImageClassification/ZeroShotImageClassification.node.json',
			'dist/nodes/ZeroShotImageClassification/zeroShotImageClassification.svg',
			'dist/nodes/ZeroShotImageClassification/zeroShotImageClassification.dark.svg',
			'dist/credentials/huggingFaceHub.svg',
			'dist/credentials/huggingFaceHub.dark.svg',
			// The pages the node's help links (nodes/.../shared/docsLinks.ts): they ship with the version they describe.
			'docs/usage.md',
			'docs/models.md',
			'docs/http-api.md',
			...readdirSync(path.join(REPO_ROOT, 'models'))
				.filter((file) => file.endsWith('.json'))
				.map((file) => `dist/models/${file}`),
		];
		expect(expected.filter((file) => !files.has(file))).toEqual([]);
		// Only what `files` allows: no sources, tests, fixtures or generated models.
		expect([...files].filter((file) => !/^(package\.json|README\.md|LICENSE(\.md)?|dist\/.+|docs\/.+)$/.test(file))).toEqual([]);
		expect([...files].filter((file) => /^dist\/(test|bench|scripts)\//.test(file))).toEqual([]);
	});

	test('every runtime dependency is a plain dependency and nothing needs an install script', () => {
		expect(packed.name).toBe(PACKAGE_NAME);
		expect(Object.keys(packed.dependencies ?? {}).sort()).toEqual(RUNTIME_DEPENDENCIES);
		expect(packed.optionalDependencies).toBeUndefined();
		expect(packed.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		const lifecycle = Object.keys(packed.scripts ?? {}).filter((name) => /^(pre|post)?install$|^prepare$/.test(name));
		expect(lifecycle).toEqual([]);
		// n8n's install put every runtime dependency into the package's own node_modules, with the
		// native binaries that ship inside the npm tarballs (no install script ran).
		for (const dependency of RUNTIME_DEPENDENCIES) {
			expect({ dependency, present: existsSync(path.join(installed.packageDir, 'node_modules', dependency, 'package.json')) }).toEqual({ dependency, present: true });
		}
		const ortBinaries = path.join(installed.packageDir, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', 'linux', 'x64');
		expect(readdirSync(ortBinaries)).toEqual(expect.arrayContaining(['onnxruntime_binding.node']));
		const manifest = JSON.parse(readFileSync(path.join(installed.packageDir, 'package.json'), 'utf8')) as Manifest;
		expect(manifest.peerDependencies).toBeUndefined();
	});

	test('the installed clip-classify prints the package version and lists its commands', () => {
		const bin = path.join(installed.packageDir, packed.bin?.['clip-classify'] ?? 'no clip-classify bin in package.json');
		expect(execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' })).toBe(`${packed.version}\n`);
		const help = execFileSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
		for (const command of ['classify', 'embed', 'download', 'models']) expect(help).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
	});

	test('the installed package classifies every image as the engine does, natively and on WebAssembly', () => {
		for (const [backend, result] of Object.entries(runs)) {
			if (!result.ok) throw new Error(`${backend}: ${explain(result)}`);
		}
		const reference = referenceClassifications({ model, template: DEFAULT_TEMPLATE, requests: imageFiles.map((file) => ({ file, classes: CLASSES })) });
		const expected = new Map(imageFiles.map((file, i) => [path.basename(file), reference[i]]));
		for (const [backend, result] of Object.entries(runs)) {
			const items = byFileName(runner.getNodeOutput(result, 'Classify'));
			expect(items.size).toBe(STANDARD_IMAGES.length);
			for (const [fileName, item] of items) {
				expectMatchesReference(item.json, expected.get(fileName) as Classification, backend === 'wasm' ? WASM_TOLERANCE : undefined);
			}
		}
	});

	test('n8n loads it without a warning about its description', () => {
		for (const [backend, result] of Object.entries(runs)) {
			expect({ backend, warnings: packageDescriptionWarnings(result) }).toEqual({ backend, warnings: [] });
			expect({ backend, warnings: runner.unexpectedWarnings(result) }).toEqual({ backend, warnings: [] });
		}
	});

	test('installed by hand with `npm install <tarball>` in ~/.n8n/nodes (npm adds its own n8n-workflow), it classifies the same', async () => {
		const byHand = runner.createUserFolder('n8n-e2e-community-npm-');
		try {
			const images = path.join(userFolder, 'files', 'images', '*.{png,jpg,webp}');
			const install = runner.installCommunityPackage(tarball, { userFolder: byHand.userFolder, strategy: 'npm-install-tgz' });
			timings.push(`npm install <tarball> in nodes/ (with the peer n8n-workflow): ${install.installMs} ms`);
			const result = await runner.runWorkflow(chain('community: npm by hand', manualTrigger(), readFiles(images), classifyNode(model, { classes: CLASSES.join(', ') })), {
				userFolder: byHand.userFolder,
				allowedPaths: [path.join(userFolder, 'files')],
			});
			if (!result.ok) throw new Error(explain(result));
			const reference = referenceClassifications({ model, template: DEFAULT_TEMPLATE, requests: imageFiles.map((file) => ({ file, classes: CLASSES })) });
			const expected = new Map(imageFiles.map((file, i) => [path.basename(file), reference[i]]));
			const items = byFileName(runner.getNodeOutput(result, 'Classify'));
			expect(items.size).toBe(STANDARD_IMAGES.length);
			for (const [fileName, item] of items) expectMatchesReference(item.json, expected.get(fileName) as Classification);
			expect(packageDescriptionWarnings(result)).toEqual([]);
			expect(runner.unexpectedWarnings(result)).toEqual([]);
		} finally {
			runner.removeUserFolder(byHand.userFolder);
		}
	});

	test('the editor gets the node under its published name, with its codex and both icons from the package', async () => {
		const port = await server.freePort();
		const env = await server.serverEnv({ layout, userFolder, port, logLevel: 'info' });
		const main = await server.startMain({ layout, env, cwd: userFolder, logFile: path.join(userFolder, 'editor-check.log') });
		try {
			const cookie = await server.ownerSession(main.url);
			const { nodes } = await server.loadedTypes(main.url, cookie);
			const node = nodes.find((type) => type.name === NODE_TYPE) as { codex?: unknown; iconUrl?: { light: string; dark: string } } | undefined;
			expect(node?.codex).toMatchObject({ categories: expect.arrayContaining(['AI']) });
			for (const theme of ['light', 'dark'] as const) {
				const url = node?.iconUrl?.[theme] ?? '(none)';
				expect(url).toContain(PACKAGE_NAME);
				const icon = await server.request('GET', `${main.url}/${url}`, undefined, { cookie });
				expect({ theme, status: icon.status }).toEqual({ theme, status: 200 });
			}
		} finally {
			await main.stop();
		}
	});
});
