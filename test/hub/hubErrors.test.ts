import { getPreset } from '../../engine/hub/presets';
import { resolveModelFolder } from '../../engine/hub/resolveModel';
import { MockHub } from './mockHub';
import { presetRepoFiles } from './mockRepos';
import { useIsolatedHubEnv } from './hubTestEnv';

describe('Hub errors', () => {
	const env = useIsolatedHubEnv();
	let hub: MockHub;
	beforeEach(async () => {
		hub = await MockHub.start();
	});
	afterEach(async () => {
		await hub.stop();
	});

	it('names the repo and the file when a file is missing (404)', async () => {
		const preset = getPreset('clip-vit-base-patch32');
		hub.addRepo({ repo: preset.source.repo, files: presetRepoFiles(preset).filter((f) => f.path !== 'onnx/vision_model.onnx') });

		const attempt = resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint });

		await expect(attempt).rejects.toMatchObject({ code: 'not-found', status: 404 });
		await expect(attempt).rejects.toThrow('file "onnx/vision_model.onnx" does not exist in Xenova/clip-vit-base-patch32@');
	});

	it('tries again after a transient server error (503) and succeeds', async () => {
		const preset = getPreset('clip-vit-base-patch32');
		hub.addRepo({ repo: preset.source.repo, files: presetRepoFiles(preset) });
		hub.failNextResolves(preset.source.repo, 'onnx/text_model.onnx', 503);
		const log: string[] = [];

		const model = await resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint, log: (m) => log.push(m) });

		expect(model.files).toContain('onnx/text_model.onnx');
		expect(log.join('\n')).toMatch(/onnx\/text_model\.onnx: Hugging Face Hub answered HTTP 503 .* Retrying in 0\.5 s \(attempt 2 of 5\)/);
	});

	it('says the repository does not exist when the Hub says so', async () => {
		await expect(resolveModelFolder('nobody/nothing', { cacheDir: env.cacheDir(), endpoint: hub.endpoint })).rejects.toThrow(
			/repository nobody\/nothing does not exist/,
		);
	});

	it('says the revision does not exist when the Hub says so', async () => {
		const preset = getPreset('clip-vit-base-patch32');
		hub.addRepo({ repo: 'someone/clip', files: presetRepoFiles(preset) });

		await expect(resolveModelFolder('someone/clip@v9', { cacheDir: env.cacheDir(), endpoint: hub.endpoint })).rejects.toThrow(/revision "v9" does not exist in someone\/clip/);
	});

	it('says which endpoint it could not reach when nothing listens there', async () => {
		const endpoint = hub.endpoint;
		await hub.stop();
		hub = await MockHub.start();

		await expect(resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint })).rejects.toThrow(
			new RegExp(`Could not reach ${new URL(endpoint).host.replace(/\./g, '\\.')}/Xenova/clip-vit-base-patch32/resolve/main/config\\.json`),
		);
	}, 30_000);

	it('suggests downloading elsewhere and offline mode when the Hub cannot be reached at all', async () => {
		const endpoint = hub.endpoint;
		await hub.stop();
		hub = await MockHub.start();

		await expect(resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint })).rejects.toThrow(
			/npx clip-classify download clip-vit-base-patch32 --cache-dir <folder>.*set HF_HUB_OFFLINE=1/,
		);
	});

	it('refuses an invalid repo id before any request', async () => {
		await expect(resolveModelFolder('some one/../x', { cacheDir: env.cacheDir(), endpoint: hub.endpoint })).rejects.toMatchObject({ code: 'invalid-ref' });
		expect(hub.requests).toEqual([]);
	});
});
