import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { getPreset } from '../../engine/hub/presets';
import { resolveModelFolder } from '../../engine/hub/resolveModel';
import { MockHub } from './mockHub';
import { generatedFiles, HF_REPO_PATHS, IMMICH_REPO_PATHS, presetRepoFiles } from './mockRepos';
import { useIsolatedHubEnv } from './hubTestEnv';

describe('resolveModelFolder', () => {
	const env = useIsolatedHubEnv();
	let hub: MockHub;
	beforeEach(async () => {
		hub = await MockHub.start();
	});
	afterEach(async () => {
		await hub.stop();
	});

	describe('with a preset id', () => {
		it('downloads every file of the default variant into <cacheDir>/<owner>--<name>/<revision>', async () => {
			const preset = getPreset('clip-vit-base-patch32');
			const repo = hub.addRepo({ repo: preset.source.repo, files: presetRepoFiles(preset) });

			const model = await resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint });

			expect(model.folder).toBe(join(env.cacheDir(), 'Xenova--clip-vit-base-patch32', 'main'));
			expect(model).toMatchObject({ source: 'preset', repo: 'Xenova/clip-vit-base-patch32', revision: 'main', commit: repo.commit, layout: 'hf', variant: 'fp32' });
			expect(model.preset?.id).toBe('clip-vit-base-patch32');
			for (const path of ['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/text_model.onnx', 'onnx/vision_model.onnx']) {
				expect(await readFile(join(model.folder, path))).toEqual(repo.files.get(path)?.content);
			}
		});

		it('skips the files of the other variants', async () => {
			const preset = getPreset('clip-vit-base-patch32');
			hub.addRepo({ repo: preset.source.repo, files: presetRepoFiles(preset) });

			const model = await resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint });

			expect((await readdir(join(model.folder, 'onnx'))).sort()).toEqual(['text_model.onnx', 'vision_model.onnx']);
		});

		it('downloads the chosen variant instead when asked', async () => {
			const preset = getPreset('clip-vit-base-patch32');
			hub.addRepo({ repo: preset.source.repo, files: presetRepoFiles(preset) });

			const model = await resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint, variant: 'quantized' });

			expect(model.variant).toBe('quantized');
			expect((await readdir(join(model.folder, 'onnx'))).sort()).toEqual(['text_model_quantized.onnx', 'vision_model_quantized.onnx']);
		});

		it('makes no request at all the second time', async () => {
			const preset = getPreset('clip-vit-base-patch32');
			hub.addRepo({ repo: preset.source.repo, files: presetRepoFiles(preset) });
			const first = await resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint });
			hub.clearRequests();

			const second = await resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint });

			expect(hub.requests).toEqual([]);
			expect(second).toEqual(first);
		});

		it('names the resolved commit in the URLs after the first file, so all files come from one snapshot', async () => {
			const preset = getPreset('clip-vit-base-patch32');
			const repo = hub.addRepo({ repo: preset.source.repo, files: presetRepoFiles(preset) });

			await resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint });

			const resolvePaths = hub.requests.filter((r) => r.kind === 'resolve').map((r) => r.path);
			expect(resolvePaths[0]).toContain('/resolve/main/');
			expect(resolvePaths.slice(1).every((path) => path.includes(`/resolve/${repo.commit}/`))).toBe(true);
		});

		it('accepts that an optional file is missing from the repo', async () => {
			const preset = getPreset('openclip-xlm-roberta-base-vit-b-32');
			hub.addRepo({ repo: preset.source.repo, files: presetRepoFiles(preset) });

			const model = await resolveModelFolder('openclip-xlm-roberta-base-vit-b-32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint });

			expect(model.layout).toBe('immich');
			expect(model.files).not.toContain('textual/model.onnx.data');
			expect(model.files).toContain('textual/model.onnx');
		});

		it('downloads an optional file when the repo has it', async () => {
			const preset = getPreset('openclip-xlm-roberta-base-vit-b-32');
			const repo = hub.addRepo({ repo: preset.source.repo, files: [...presetRepoFiles(preset), ...generatedFiles(['textual/model.onnx.data'])] });

			const model = await resolveModelFolder('openclip-xlm-roberta-base-vit-b-32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint });

			expect(await readFile(join(model.folder, 'textual/model.onnx.data'))).toEqual(repo.files.get('textual/model.onnx.data')?.content);
		});

		it('reports progress through onProgress and log', async () => {
			const preset = getPreset('clip-vit-base-patch32');
			hub.addRepo({ repo: preset.source.repo, files: presetRepoFiles(preset) });
			const progress: { file: string; receivedBytes: number; totalBytes: number | undefined }[] = [];
			const log: string[] = [];

			await resolveModelFolder('clip-vit-base-patch32', {
				cacheDir: env.cacheDir(),
				endpoint: hub.endpoint,
				onProgress: (p) => progress.push(p),
				log: (message) => log.push(message),
			});

			expect(progress).toContainEqual(expect.objectContaining({ file: 'onnx/vision_model.onnx', receivedBytes: 256 * 1024, totalBytes: 256 * 1024 }));
			expect(log.join('\n')).toMatch(/is ready in/);
		});
	});

	describe('with an owner/name Hub repo', () => {
		it('lists the repo through the API and downloads what its hf layout needs for fp32', async () => {
			hub.addRepo({ repo: 'someone/clip-export', files: generatedFiles(HF_REPO_PATHS) });

			const model = await resolveModelFolder('someone/clip-export', { cacheDir: env.cacheDir(), endpoint: hub.endpoint });

			expect(model).toMatchObject({ source: 'hub', repo: 'someone/clip-export', revision: 'main', layout: 'hf', variant: 'fp32' });
			expect([...(model.files ?? [])].sort()).toEqual(
				['config.json', 'onnx/text_model.onnx', 'onnx/vision_model.onnx', 'preprocessor_config.json', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json'].sort(),
			);
			expect(hub.requests.some((r) => r.kind === 'api')).toBe(true);
		});

		it('downloads only the fp16 towers when that variant is chosen', async () => {
			hub.addRepo({ repo: 'someone/clip-export', files: generatedFiles(HF_REPO_PATHS) });

			const model = await resolveModelFolder('someone/clip-export', { cacheDir: env.cacheDir(), endpoint: hub.endpoint, variant: 'fp16' });

			expect(model.files?.filter((f) => f.endsWith('.onnx')).sort()).toEqual(['onnx/text_model_fp16.onnx', 'onnx/vision_model_fp16.onnx']);
		});

		it('detects the immich layout and brings the external data file along', async () => {
			hub.addRepo({ repo: 'immich-app/Some-CLIP', files: generatedFiles(IMMICH_REPO_PATHS) });

			const model = await resolveModelFolder('immich-app/Some-CLIP', { cacheDir: env.cacheDir(), endpoint: hub.endpoint });

			expect(model.layout).toBe('immich');
			expect([...(model.files ?? [])].sort()).toEqual(
				['config.json', 'textual/model.onnx', 'textual/model.onnx.data', 'textual/tokenizer.json', 'textual/tokenizer_config.json', 'visual/model.onnx', 'visual/preprocess_cfg.json'].sort(),
			);
		});

		it('caches owner/name@revision under the revision it names', async () => {
			const repo = hub.addRepo({ repo: 'someone/clip-export', files: generatedFiles(HF_REPO_PATHS) });

			const model = await resolveModelFolder(`someone/clip-export@${repo.commit}`, { cacheDir: env.cacheDir(), endpoint: hub.endpoint });

			expect(model.folder).toBe(join(env.cacheDir(), 'someone--clip-export', repo.commit));
			expect(model.commit).toBe(repo.commit);
		});

		it('refuses a repo in no supported layout, saying what it expected', async () => {
			hub.addRepo({ repo: 'someone/not-clip', files: generatedFiles(['config.json', 'model.safetensors']) });

			await expect(resolveModelFolder('someone/not-clip', { cacheDir: env.cacheDir(), endpoint: hub.endpoint })).rejects.toThrow(
				/not in a supported layout.*onnx\/text_model\.onnx.*visual\/model\.onnx/,
			);
		});

		it('refuses a variant the repo does not have, listing those it has', async () => {
			hub.addRepo({ repo: 'someone/clip-export', files: generatedFiles(HF_REPO_PATHS) });

			await expect(resolveModelFolder('someone/clip-export', { cacheDir: env.cacheDir(), endpoint: hub.endpoint, variant: 'int8' })).rejects.toThrow(
				/no "int8" variant.*available: fp16, fp32, quantized/,
			);
		});
	});

	describe('with a local folder', () => {
		it('uses the folder as is, without any request', async () => {
			const folder = join(env.cacheDir(), 'my-model');
			await mkdir(join(folder, 'onnx'), { recursive: true });
			await writeFile(join(folder, 'onnx', 'text_model.onnx'), 'x');
			await writeFile(join(folder, 'onnx', 'vision_model.onnx'), 'x');

			const model = await resolveModelFolder(folder, { endpoint: hub.endpoint });

			expect(model).toEqual({ folder, source: 'local', layout: 'hf' });
			expect(hub.requests).toEqual([]);
		});

		it('says so when the folder does not exist', async () => {
			await expect(resolveModelFolder(join(env.cacheDir(), 'missing'), { endpoint: hub.endpoint })).rejects.toThrow(/Local model folder .*missing does not exist/);
		});
	});
});
