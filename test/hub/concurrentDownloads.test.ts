import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { getPreset } from '../../engine/hub/presets';
import { resolveModelFolder } from '../../engine/hub/resolveModel';
import { compileHubTo } from './compiledHub';
import { MockHub } from './mockHub';
import { presetRepoFiles } from './mockRepos';
import { useIsolatedHubEnv } from './hubTestEnv';

const PRESET = getPreset('clip-vit-base-patch32');
const REPO = PRESET.source.repo;
const PRESET_PATHS = PRESET.source.files.filter((f) => f.variant === undefined || f.variant === 'fp32').map((f) => f.path);

describe('concurrent downloads of one model', () => {
	const env = useIsolatedHubEnv();
	let hub: MockHub;
	let compiled: string;
	let runner: string;
	beforeAll(async () => {
		compiled = await mkdtemp(join(tmpdir(), 'zsic-compiled-'));
		const hubOut = await compileHubTo(compiled);
		runner = join(compiled, 'resolve.js');
		await writeFile(
			runner,
			`const { resolveModelFolder } = require(${JSON.stringify(join(hubOut, 'resolveModel.js'))});
const [ref, cacheDir, endpoint] = process.argv.slice(2);
resolveModelFolder(ref, { cacheDir, endpoint, log: (m) => process.stderr.write(m + '\\n') }).then(
	(model) => process.stdout.write(JSON.stringify({ folder: model.folder, files: model.files })),
	(error) => { process.stderr.write('FAILED ' + error.message + '\\n'); process.exitCode = 1; },
);
`,
		);
	});
	afterAll(async () => {
		await rm(compiled, { recursive: true, force: true });
	});
	beforeEach(async () => {
		hub = await MockHub.start();
		hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });
		// Slow enough that the second process starts while the first is still downloading.
		hub.throttle = { chunkBytes: 16 * 1024, delayMs: 60 };
	});
	afterEach(async () => {
		await hub.stop();
	});

	it('downloads each file once when two processes resolve the same preset at the same time', async () => {
		const run = () => promisify(execFile)(process.execPath, [runner, 'clip-vit-base-patch32', env.cacheDir(), hub.endpoint]);

		const [first, second] = await Promise.all([run(), run()]);

		expect(JSON.parse(first.stdout)).toEqual(JSON.parse(second.stdout));
		for (const path of PRESET_PATHS) expect(hub.transfers(REPO, path)).toHaveLength(1);
		expect(`${first.stderr}${second.stderr}`).toMatch(/Xenova\/clip-vit-base-patch32@main is being downloaded by another execution or process; waiting/);
	}, 60_000);

	it('downloads each file once when two resolves in one process overlap', async () => {
		const options = { cacheDir: env.cacheDir(), endpoint: hub.endpoint };

		const [first, second] = await Promise.all([resolveModelFolder('clip-vit-base-patch32', options), resolveModelFolder('clip-vit-base-patch32', options)]);

		expect(first.folder).toBe(second.folder);
		for (const path of PRESET_PATHS) expect(hub.transfers(REPO, path)).toHaveLength(1);
	}, 60_000);
});
