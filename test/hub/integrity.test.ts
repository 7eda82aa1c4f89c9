import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { downloadHubFile } from '../../engine/hub/hubFileDownloader';
import { getPreset } from '../../engine/hub/presets';
import { resolveModelFolder } from '../../engine/hub/resolveModel';
import { MockHub, sha256 } from './mockHub';
import { presetRepoFiles } from './mockRepos';
import { useIsolatedHubEnv } from './hubTestEnv';

const PRESET = getPreset('clip-vit-base-patch32');
const REPO = PRESET.source.repo;
const VISION = 'onnx/vision_model.onnx';

describe('download verification', () => {
	const env = useIsolatedHubEnv();
	let hub: MockHub;
	beforeEach(async () => {
		hub = await MockHub.start();
	});
	afterEach(async () => {
		await hub.stop();
	});

	it('rejects a file whose SHA-256 differs from the one the Hub announced', async () => {
		hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });
		hub.corrupt(REPO, VISION);

		const attempt = resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint });

		await expect(attempt).rejects.toMatchObject({ code: 'integrity' });
		await expect(attempt).rejects.toThrow(/"onnx\/vision_model\.onnx" from Xenova\/clip-vit-base-patch32@.* failed verification and was discarded: its SHA-256 is [0-9a-f]{64} but the Hub announced [0-9a-f]{64}/);
	});

	it('leaves neither the file nor a partial file behind after a mismatch', async () => {
		hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });
		hub.corrupt(REPO, VISION);

		await resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint }).catch(() => undefined);

		const onnxFolder = join(env.cacheDir(), 'Xenova--clip-vit-base-patch32', 'main', 'onnx');
		expect(await readdir(onnxFolder)).toEqual(['text_model.onnx']);
	});

	it('does not treat a model that failed verification as cached the next time', async () => {
		const repo = hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });
		hub.corrupt(REPO, VISION);
		await resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint }).catch(() => undefined);
		hub.corrupt(REPO, VISION, false);
		hub.clearRequests();

		const model = await resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint });

		expect(hub.transfers(REPO, VISION)).toHaveLength(1);
		expect(hub.transfers(REPO, 'onnx/text_model.onnx')).toHaveLength(0);
		expect(await readFile(join(model.folder, VISION))).toEqual(repo.files.get(VISION)?.content);
	});

	it('accepts a small git-stored file on its size, its ETag being a git SHA-1', async () => {
		hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });

		const file = await downloadHubFile(
			{ repo: REPO, revision: 'main', path: 'config.json' },
			{ endpoint: hub.endpoint, destination: join(env.cacheDir(), 'config.json') },
		);

		expect(file?.verifiedBy).toBe('size');
	});

	it('verifies an LFS file against the SHA-256 the Hub announced', async () => {
		hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });

		const file = await downloadHubFile({ repo: REPO, revision: 'main', path: VISION }, { endpoint: hub.endpoint, destination: join(env.cacheDir(), 'v.onnx') });

		expect(file?.verifiedBy).toBe('sha256');
	});

	it('prefers a hash pinned by the manifest over the Hub and rejects a mismatch with it', async () => {
		hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });
		const pinned = sha256(randomBytes(16));

		const attempt = downloadHubFile(
			{ repo: REPO, revision: 'main', path: VISION, sha256: pinned },
			{ endpoint: hub.endpoint, destination: join(env.cacheDir(), 'v.onnx') },
		);

		await expect(attempt).rejects.toThrow(`but the preset pins ${pinned}`);
		await expect(stat(join(env.cacheDir(), 'v.onnx'))).rejects.toMatchObject({ code: 'ENOENT' });
	});

	it('rejects a file whose size differs from the pinned size', async () => {
		hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });

		const attempt = downloadHubFile(
			{ repo: REPO, revision: 'main', path: 'config.json', size: 3 },
			{ endpoint: hub.endpoint, destination: join(env.cacheDir(), 'config.json') },
		);

		await expect(attempt).rejects.toThrow(/expected 3 \(pinned by the preset\)/);
	});
});
