import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { DEFAULT_PRESET_ID, getPreset, loadPresets, presetVariants, selectPresetFiles, validatePresetManifest } from '../../engine/hub/presets';
import { compileHubTo } from './compiledHub';

const validManifest = () => ({
	id: 'tiny',
	title: 'Tiny',
	description: 'A tiny model.',
	source: {
		repo: 'owner/tiny',
		revision: 'main',
		files: [{ path: 'config.json' }, { path: 'onnx/text_model.onnx', variant: 'fp32' }, { path: 'onnx/vision_model.onnx', variant: 'fp32' }],
	},
	layout: 'hf',
	defaultVariant: 'fp32',
	logitScale: 100,
	embeddingSize: 512,
	license: 'MIT',
	approxDownloadBytes: 1000,
	approxMemoryBytes: 2000,
});

describe('the shipped presets', () => {
	it('all validate', () => {
		expect(loadPresets().length).toBeGreaterThanOrEqual(4);
	});

	it('each state their model family', () => {
		expect(loadPresets().filter((preset) => preset.family === undefined).map((preset) => preset.id)).toEqual([]);
	});

	it('include the default, small ViT-B/32 from Xenova in the hf layout', () => {
		const preset = getPreset(DEFAULT_PRESET_ID);
		expect(preset).toMatchObject({ id: 'clip-vit-base-patch32', layout: 'hf', defaultVariant: 'fp32', embeddingSize: 512, logitScale: 100 });
		expect(preset.source.repo).toBe('Xenova/clip-vit-base-patch32');
	});

	it.each([
		['clip-vit-large-patch14', 'Xenova/clip-vit-large-patch14', 'hf', 768],
		['openclip-xlm-roberta-base-vit-b-32', 'immich-app/XLM-Roberta-Base-ViT-B-32__laion5b_s13b_b90k', 'immich', 512],
		['openclip-vit-b-32-laion2b', 'immich-app/ViT-B-32__laion2b-s34b-b79k', 'immich', 512],
	])('include %s from %s in the %s layout', (id, repo, layout, embeddingSize) => {
		expect(getPreset(id)).toMatchObject({ source: { repo }, layout, embeddingSize });
	});

	it('offer quantized and fp16 variants of the OpenAI models', () => {
		expect(presetVariants(getPreset('clip-vit-base-patch32'))).toEqual(['fp16', 'fp32', 'quantized']);
		expect(selectPresetFiles(getPreset('clip-vit-base-patch32'), 'fp16').map((f) => f.path)).toContain('onnx/vision_model_fp16.onnx');
	});

	it('mark the external data of the multilingual text tower as optional', () => {
		const data = getPreset('openclip-xlm-roberta-base-vit-b-32').source.files.find((f) => f.path === 'textual/model.onnx.data');
		expect(data?.optional).toBe(true);
	});

	it('announce download sizes in the right order of magnitude', () => {
		expect(getPreset('clip-vit-base-patch32').approxDownloadBytes).toBeGreaterThan(500e6);
		expect(getPreset('clip-vit-base-patch32').approxDownloadBytes).toBeLessThan(700e6);
		expect(getPreset('clip-vit-large-patch14').approxDownloadBytes).toBeGreaterThan(1.5e9);
		expect(getPreset('openclip-xlm-roberta-base-vit-b-32').approxDownloadBytes).toBeGreaterThan(1.3e9);
	});

	it('are found from a build output folder too (dist/engine/hub next to dist/models)', async () => {
		const out = await mkdtemp(join(tmpdir(), 'zsic-dist-'));
		try {
			const hubOut = await compileHubTo(out);
			const script = `console.log(JSON.stringify(require(${JSON.stringify(join(hubOut, 'presets.js'))}).loadPresets().map((p) => p.id)))`;
			const { stdout } = await promisify(execFile)(process.execPath, ['-e', script]);
			expect(JSON.parse(stdout)).toEqual(loadPresets().map((p) => p.id));
		} finally {
			await rm(out, { recursive: true, force: true });
		}
	});
});

describe('getPreset', () => {
	it.each(['../clip-vit-base-patch32', '..', '/etc/passwd', 'models/../../x', '.hidden', 'Clip'])('refuses the id %p before looking anything up', (id) => {
		expect(() => getPreset(id)).toThrow(/not a valid preset id/);
	});

	it('lists the available presets when the id is unknown', () => {
		expect(() => getPreset('clip-vit-huge')).toThrow(/Unknown model preset "clip-vit-huge". Available presets: .*clip-vit-base-patch32/);
	});
});

describe('validatePresetManifest', () => {
	it('accepts a complete manifest', () => {
		expect(validatePresetManifest(validManifest(), 'tiny').id).toBe('tiny');
	});

	it('refuses an id that does not match the file name', () => {
		expect(() => validatePresetManifest(validManifest(), 'other')).toThrow(/must match the file name/);
	});

	it('refuses an id with path separators', () => {
		expect(() => validatePresetManifest({ ...validManifest(), id: '../tiny' })).toThrow(/must match/);
	});

	it('refuses a file path that climbs out of the model folder', () => {
		const manifest = validManifest();
		manifest.source.files.push({ path: '../../../.ssh/id_rsa' });
		expect(() => validatePresetManifest(manifest, 'tiny')).toThrow(/is not a safe relative path/);
	});

	it('refuses an absolute file path', () => {
		const manifest = validManifest();
		manifest.source.files.push({ path: '/etc/passwd' });
		expect(() => validatePresetManifest(manifest, 'tiny')).toThrow(/is not a safe relative path/);
	});

	it('refuses a repo that is not owner/name', () => {
		expect(() => validatePresetManifest({ ...validManifest(), source: { ...validManifest().source, repo: 'tiny' } }, 'tiny')).toThrow(/not an owner\/name repo id/);
	});

	it('refuses a variant whose files do not form the layout', () => {
		const manifest = validManifest();
		manifest.source.files.push({ path: 'onnx/text_model_fp16.onnx', variant: 'fp16' });
		expect(() => validatePresetManifest(manifest, 'tiny')).toThrow(/variant "fp16" do not form a complete hf layout/);
	});

	it('refuses a default variant that no file names', () => {
		expect(() => validatePresetManifest({ ...validManifest(), defaultVariant: 'fp16' }, 'tiny')).toThrow(/defaultVariant "fp16"/);
	});

	it('refuses a malformed pinned hash', () => {
		const manifest = validManifest();
		manifest.source.files[0] = { path: 'config.json', sha256: 'abc' } as (typeof manifest.source.files)[number];
		expect(() => validatePresetManifest(manifest, 'tiny')).toThrow(/sha256 must be 64 hex digits/);
	});

	it('keeps the model family it states', () => {
		expect(validatePresetManifest({ ...validManifest(), family: 'siglip' }, 'tiny').family).toBe('siglip');
	});

	it('refuses a model family other than clip or siglip', () => {
		expect(() => validatePresetManifest({ ...validManifest(), family: 'blip' }, 'tiny')).toThrow(/family must be "clip" or "siglip"/);
	});

	it('refuses a missing number', () => {
		const manifest: Partial<ReturnType<typeof validManifest>> = validManifest();
		delete manifest.embeddingSize;
		expect(() => validatePresetManifest(manifest, 'tiny')).toThrow(/embeddingSize must be a positive number/);
	});

	it('loads a folder of manifests, refusing the first invalid one', async () => {
		const dir = await mkdtemp(join(tmpdir(), 'zsic-presets-'));
		try {
			await writeFile(join(dir, 'tiny.json'), JSON.stringify({ ...validManifest(), layout: 'onnx' }));
			expect(() => loadPresets(dir)).toThrow(/Preset tiny: layout must be one of hf, immich/);
		} finally {
			await rm(dir, { recursive: true, force: true });
		}
	});
});
