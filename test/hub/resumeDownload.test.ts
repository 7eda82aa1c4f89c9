import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { getPreset } from '../../engine/hub/presets';
import { resolveModelFolder } from '../../engine/hub/resolveModel';
import { MockHub } from './mockHub';
import { presetRepoFiles } from './mockRepos';
import { useIsolatedHubEnv } from './hubTestEnv';

const PRESET = getPreset('clip-vit-base-patch32');
const REPO = PRESET.source.repo;
const VISION = 'onnx/vision_model.onnx';

describe('resuming an interrupted download', () => {
	const env = useIsolatedHubEnv();
	let hub: MockHub;
	beforeEach(async () => {
		hub = await MockHub.start();
	});
	afterEach(async () => {
		await hub.stop();
	});

	it('continues a transfer cut mid-file with a Range request and ends with the right bytes', async () => {
		const repo = hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });
		hub.cutNextTransfer(REPO, VISION, 100_000);

		const model = await resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint });

		const transfers = hub.transfers(REPO, VISION);
		expect(transfers.map((t) => [t.range, t.status])).toEqual([
			[undefined, 200],
			['bytes=100000-', 206],
		]);
		expect(await readFile(join(model.folder, VISION))).toEqual(repo.files.get(VISION)?.content);
	});

	it('resumes the .incomplete file an earlier run left behind', async () => {
		const repo = hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });
		const content = repo.files.get(VISION)?.content ?? Buffer.alloc(0);
		const folder = join(env.cacheDir(), 'Xenova--clip-vit-base-patch32', 'main');
		await mkdir(join(folder, 'onnx'), { recursive: true });
		await writeFile(join(folder, `${VISION}.incomplete`), content.subarray(0, 12_345));

		const model = await resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint });

		expect(hub.transfers(REPO, VISION).map((t) => t.range)).toEqual(['bytes=12345-']);
		expect(await readFile(join(model.folder, VISION))).toEqual(content);
	});

	it('starts over when the server ignores Range and answers 200 with the whole file', async () => {
		const repo = hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });
		hub.ignoreRange = true;
		hub.cutNextTransfer(REPO, VISION, 50_000);

		const model = await resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint });

		expect(hub.transfers(REPO, VISION).map((t) => [t.range, t.status])).toEqual([
			[undefined, 200],
			['bytes=50000-', 200],
		]);
		expect(await readFile(join(model.folder, VISION))).toEqual(repo.files.get(VISION)?.content);
	});

	it('finishes a file whose every byte arrived before the run stopped (416 on resume)', async () => {
		const repo = hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });
		const content = repo.files.get(VISION)?.content ?? Buffer.alloc(0);
		const folder = join(env.cacheDir(), 'Xenova--clip-vit-base-patch32', 'main');
		await mkdir(join(folder, 'onnx'), { recursive: true });
		await writeFile(join(folder, `${VISION}.incomplete`), content);

		const model = await resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint });

		expect(hub.transfers(REPO, VISION).map((t) => t.status)).toEqual([416]);
		expect(await readFile(join(model.folder, VISION))).toEqual(content);
	});

	it('downloads again from the start when the kept bytes belong to another version of the file', async () => {
		const repo = hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });
		const folder = join(env.cacheDir(), 'Xenova--clip-vit-base-patch32', 'main');
		await mkdir(join(folder, 'onnx'), { recursive: true });
		await writeFile(join(folder, `${VISION}.incomplete`), Buffer.alloc(20_000, 7));

		const model = await resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint });

		expect(hub.transfers(REPO, VISION).map((t) => t.range)).toEqual(['bytes=20000-', undefined]);
		expect(await readFile(join(model.folder, VISION))).toEqual(repo.files.get(VISION)?.content);
	});

	it('leaves no .incomplete file once done', async () => {
		hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });
		hub.cutNextTransfer(REPO, VISION, 100_000);

		const model = await resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint });

		await expect(stat(join(model.folder, `${VISION}.incomplete`))).rejects.toMatchObject({ code: 'ENOENT' });
	});

	it('keeps the partial file for a later run when cancelled', async () => {
		hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET, 2 * 1024 * 1024) });
		hub.throttle = { chunkBytes: 64 * 1024, delayMs: 20 };
		const controller = new AbortController();

		const attempt = resolveModelFolder('clip-vit-base-patch32', {
			cacheDir: env.cacheDir(),
			endpoint: hub.endpoint,
			signal: controller.signal,
			onProgress: (p) => {
				if (p.file === 'onnx/text_model.onnx' && p.receivedBytes > 256 * 1024) controller.abort();
			},
		});

		await expect(attempt).rejects.toMatchObject({ code: 'aborted' });
		const partial = await stat(join(env.cacheDir(), 'Xenova--clip-vit-base-patch32', 'main', 'onnx/text_model.onnx.incomplete'));
		expect(partial.size).toBeGreaterThan(0);
	});
});
