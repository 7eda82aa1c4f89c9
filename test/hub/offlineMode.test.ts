import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { getPreset } from '../../engine/hub/presets';
import { resolveModelFolder } from '../../engine/hub/resolveModel';
import { MockHub } from './mockHub';
import { presetRepoFiles } from './mockRepos';
import { useIsolatedHubEnv } from './hubTestEnv';

const PRESET = getPreset('clip-vit-base-patch32');

describe('offline mode', () => {
	const env = useIsolatedHubEnv();
	let hub: MockHub;
	beforeEach(async () => {
		hub = await MockHub.start();
		hub.addRepo({ repo: PRESET.source.repo, files: presetRepoFiles(PRESET) });
	});
	afterEach(async () => {
		await hub.stop();
	});

	it('uses a cached model without any request', async () => {
		const online = await resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint });
		hub.clearRequests();

		const offline = await resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint, offline: true });

		expect(offline.folder).toBe(online.folder);
		expect(hub.requests).toEqual([]);
	});

	it('fails without any request when the model is not cached', async () => {
		await expect(resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint, offline: true })).rejects.toMatchObject({
			code: 'offline',
		});
		expect(hub.requests).toEqual([]);
	});

	it('explains how to provide the model: the download command, copying the folder, or a local path', async () => {
		const attempt = resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint, offline: true });

		await expect(attempt).rejects.toThrow('npx clip-classify download clip-vit-base-patch32 --cache-dir <folder>');
		await expect(attempt).rejects.toThrow(`copy <folder>/Xenova--clip-vit-base-patch32 to ${env.cacheDir()}`);
		await expect(attempt).rejects.toThrow(/enter its path as the model/);
	});

	it('mentions a non-default variant in the suggested command', async () => {
		await expect(
			resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint, offline: true, variant: 'quantized' }),
		).rejects.toThrow('download clip-vit-base-patch32 --variant quantized --cache-dir');
	});

	it('is switched on by HF_HUB_OFFLINE=1', async () => {
		process.env.HF_HUB_OFFLINE = '1';

		await expect(resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint })).rejects.toMatchObject({ code: 'offline' });
		expect(hub.requests).toEqual([]);
	});

	it('lets the offline option override HF_HUB_OFFLINE', async () => {
		process.env.HF_HUB_OFFLINE = '1';

		const model = await resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint, offline: false });

		expect(model.source).toBe('preset');
	});

	it('does not accept a cached model whose files were removed since', async () => {
		const online = await resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint });
		await rm(join(online.folder, 'onnx', 'vision_model.onnx'));

		await expect(resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint, offline: true })).rejects.toMatchObject({
			code: 'offline',
		});
	});
});
