/**
 * The shell blocks of README.md and docs/ marked `sh n8n` (visibly: "▶ Run by the e2e tests against
 * a real n8n") run as a reader runs them, against `n8n start` with this package and the example
 * workflows they talk to active: examples/http-api.json and examples/feature-extraction-api.json
 * (Data Table store), on tiny generated models instead of the presets.
 *
 * Each block runs with `bash -e -o pipefail` in a scratch folder holding `photo.jpg`, with
 * `N8N_URL` set to that n8n, and `curl` on the PATH adding `--fail-with-body` and a newline after
 * each answer (n8n's answers end without one, so a block's answers would run together on one line):
 * a block fails when one of its requests is answered with an HTTP error, or when it prints a line
 * that looks like JSON and is not. (The CLI blocks, marked `sh runnable`, run in `npm test`: test/docs/.)
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import { documentationFiles } from '../docs/documentationFiles';
import { fencedBlocks } from '../docs/fencedBlocks';
import { hasMark } from '../docs/shellBlockMarks';
import { testImage } from '../fixtures/testImages';
import { REPO_ROOT, writeModels } from './clipE2eFixtures';
import { apiWorkflow, waitForApi, PREFIX } from './featureExtractionApiFixtures';
import type { N8nServer } from './n8nServer';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runner = require('./n8nRunner') as typeof import('./n8nRunner');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const server = require('./n8nServer') as typeof import('./n8nServer');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const examples = require('../../scripts/exampleWorkflows') as {
	loadExample(name: 'httpApi'): import('./n8nRunner').Workflow;
	withModel<W>(workflow: W, model: string): W;
	PACKAGE_NAME: string;
};

const run = promisify(execFile);
const layout = runner.getN8n();
const BLOCK_TIMEOUT_MS = 120_000;

const n8nBlocks = documentationFiles().flatMap((file) =>
	fencedBlocks(file.lines)
		.filter((block) => hasMark(block, 'n8n'))
		.map((block) => ({ where: `${file.path}:${block.line}`, script: block.content })),
);

/** Data Tables (the feature-extraction example's job store) exist from n8n 2.0 on. */
const describeOnN8n2 = Number(layout.version.split('.')[0]) >= 2 ? describe : describe.skip;

/** Lines of a block's output that start like a JSON document but do not parse as one. */
function malformedJsonLines(stdout: string): string[] {
	return stdout
		.split('\n')
		.filter((line) => /^\s*[{[]/.test(line))
		.filter((line) => {
			try {
				JSON.parse(line);
				return false;
			} catch {
				return true;
			}
		});
}

describeOnN8n2(`the docs' shell blocks marked n8n, against real n8n ${layout.version}`, () => {
	let userFolder: string;
	let main: N8nServer | undefined;
	let binDir: string;
	let photo: Buffer;

	beforeAll(async () => {
		({ userFolder } = runner.createUserFolder('n8n-e2e-docs-'));
		// Under n8n's files folder: the node reads a typed model folder only where n8n lets nodes read.
		const models = await writeModels(path.join(userFolder, 'files', 'generated'));
		photo = await testImage('blobs', 'jpeg');
		const httpApi = runner.rewriteNodeTypes(examples.withModel(examples.loadExample('httpApi'), models.hf), examples.PACKAGE_NAME, runner.CUSTOM_PACKAGE_NAME);
		const featureApi = apiWorkflow('dataTable', { 'clip-vit-large-patch14': models.hf, 'open-clip-vit-b32': models.immich, 'slow-clip': models.hf });
		const port = await server.freePort();
		const env = await server.serverEnv({ layout, userFolder, port, customExtensions: [REPO_ROOT], logLevel: 'info' });
		await server.importAndActivate(layout, [httpApi, featureApi], { env, cwd: userFolder });
		main = await server.startMain({ layout, env, cwd: userFolder, logFile: path.join(userFolder, 'n8n.log') });
		await server.waitForWebhook(`${main.url}/webhook/zero-shot-image-classification`, { proc: main });
		await waitForApi(`${main.url}/webhook/${PREFIX}`, server.request);

		binDir = path.join(userFolder, 'bin');
		mkdirSync(binDir);
		const curl = execFileSync('sh', ['-c', 'command -v curl'], { encoding: 'utf8' }).trim();
		writeFileSync(path.join(binDir, 'curl'), `#!/bin/sh\nexec ${JSON.stringify(curl)} --fail-with-body --write-out '\\n' "$@"\n`);
		chmodSync(path.join(binDir, 'curl'), 0o755);
	}, 300_000);

	afterAll(async () => {
		if (main) await main.stop();
		if (userFolder) runner.removeUserFolder(userFolder);
	});

	test('the docs have blocks that talk to n8n (the HTTP API example and the feature-extraction curl session)', () => {
		expect(n8nBlocks.map((block) => block.where)).toEqual(expect.arrayContaining([expect.stringMatching(/^docs\/examples\.md:/), expect.stringMatching(/^docs\/http-api\.md:/)]));
	});

	test.each(n8nBlocks.map((block) => [block.where, block] as const))(
		'%s runs against n8n, every request answered without an HTTP error',
		async (where, block) => {
			const cwd = mkdtempSync(path.join(userFolder, 'block-'));
			writeFileSync(path.join(cwd, 'photo.jpg'), photo);
			const env = { ...process.env, PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}`, N8N_URL: (main as N8nServer).url };
			let stdout: string;
			try {
				({ stdout } = await run('bash', ['-e', '-o', 'pipefail', '-c', block.script], { cwd, env, timeout: BLOCK_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }));
			} catch (error) {
				const failure = error as { code?: number | string; signal?: string; stdout?: string; stderr?: string };
				throw new Error(`the shell block at ${where} failed (exit ${failure.code ?? failure.signal}):\n${block.script}\n--- stderr\n${failure.stderr ?? ''}\n--- stdout\n${(failure.stdout ?? '').slice(0, 2000)}`);
			}
			expect(stdout.trim()).not.toBe('');
			expect(malformedJsonLines(stdout)).toEqual([]);
		},
		BLOCK_TIMEOUT_MS + 10_000,
	);
});
