import { availableVariants, detectLayout, selectLayoutFiles } from '../../engine/hub/modelLayout';
import { HF_REPO_PATHS, IMMICH_REPO_PATHS } from './mockRepos';

describe('detectLayout', () => {
	it('recognises separate text and vision towers under onnx/ as hf', () => {
		expect(detectLayout(['onnx/text_model.onnx', 'onnx/vision_model.onnx'])).toBe('hf');
	});

	it('recognises a single combined onnx/model.onnx as hf', () => {
		expect(detectLayout(['config.json', 'onnx/model.onnx'])).toBe('hf');
	});

	it('recognises textual/ and visual/ models as immich', () => {
		expect(detectLayout(IMMICH_REPO_PATHS)).toBe('immich');
	});

	it('recognises nothing in a repo without ONNX models', () => {
		expect(detectLayout(['config.json', 'model.safetensors'])).toBeUndefined();
	});
});

describe('selectLayoutFiles', () => {
	it('takes the fp32 towers and the root JSON files, and nothing else, for fp32', () => {
		expect(selectLayoutFiles('hf', HF_REPO_PATHS, 'fp32', 'o/n').sort()).toEqual(
			['config.json', 'onnx/text_model.onnx', 'onnx/vision_model.onnx', 'preprocessor_config.json', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json'].sort(),
		);
	});

	it('takes the _quantized towers for the quantized variant', () => {
		expect(selectLayoutFiles('hf', HF_REPO_PATHS, 'quantized', 'o/n').filter((f) => f.endsWith('.onnx'))).toEqual([
			'onnx/text_model_quantized.onnx',
			'onnx/vision_model_quantized.onnx',
		]);
	});

	it('falls back to the combined model when the repo has no separate towers', () => {
		expect(selectLayoutFiles('hf', ['config.json', 'onnx/model.onnx', 'onnx/model_fp16.onnx'], 'fp16', 'o/n')).toEqual(['config.json', 'onnx/model_fp16.onnx']);
	});

	it('brings .onnx.data and .onnx_data external weights along with their model', () => {
		const files = ['config.json', 'onnx/text_model.onnx', 'onnx/text_model.onnx_data', 'onnx/vision_model.onnx', 'onnx/vision_model.onnx.data', 'onnx/vision_model_fp16.onnx_data'];
		expect(selectLayoutFiles('hf', files, 'fp32', 'o/n').sort()).toEqual(files.filter((f) => !f.includes('fp16')).sort());
	});

	it('takes the immich models, their JSON side files and external data, skipping other runtimes', () => {
		expect(selectLayoutFiles('immich', IMMICH_REPO_PATHS, 'fp32', 'o/n').sort()).toEqual(
			['config.json', 'textual/model.onnx', 'textual/model.onnx.data', 'textual/tokenizer.json', 'textual/tokenizer_config.json', 'visual/model.onnx', 'visual/preprocess_cfg.json'].sort(),
		);
	});

	it('refuses a variant the immich layout does not have', () => {
		expect(() => selectLayoutFiles('immich', IMMICH_REPO_PATHS, 'fp16', 'o/n')).toThrow(/o\/n has no "fp16" variant.*available: fp32/);
	});
});

describe('availableVariants', () => {
	it('lists the variants with both towers present', () => {
		expect(availableVariants('hf', [...HF_REPO_PATHS, 'onnx/text_model_int8.onnx'])).toEqual(['fp16', 'fp32', 'quantized']);
	});
});
