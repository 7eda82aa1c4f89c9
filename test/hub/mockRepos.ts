import { randomBytes } from 'node:crypto';

import type { PresetManifest } from '../../engine/hub/presets';
import type { MockFileInput } from './mockHub';

/**
 * Stand-in content for a repo: random bytes for the ONNX graphs (sized to make transfers
 * span many chunks, small enough to keep tests fast) and small JSON for the rest.
 */
export function generatedFiles(paths: readonly string[], onnxBytes = 256 * 1024): MockFileInput[] {
	return paths.map((path) => ({
		path,
		content: /\.onnx(?:\.data|_data)?$/.test(path) ? randomBytes(onnxBytes) : Buffer.from(`${JSON.stringify({ generatedFor: path, nonce: randomBytes(4).toString('hex') })}\n`),
	}));
}

/** Every file a preset lists, except the optional ones, which the repo then lacks (as real repos usually do). */
export function presetRepoFiles(preset: PresetManifest, onnxBytes?: number): MockFileInput[] {
	return generatedFiles(
		preset.source.files.filter((file) => !file.optional).map((file) => file.path),
		onnxBytes,
	);
}

/** A transformers.js-style repo with fp32, quantized and fp16 towers plus files nobody needs. */
export const HF_REPO_PATHS = [
	'.gitattributes',
	'README.md',
	'config.json',
	'preprocessor_config.json',
	'tokenizer.json',
	'tokenizer_config.json',
	'special_tokens_map.json',
	'onnx/text_model.onnx',
	'onnx/vision_model.onnx',
	'onnx/text_model_quantized.onnx',
	'onnx/vision_model_quantized.onnx',
	'onnx/text_model_fp16.onnx',
	'onnx/vision_model_fp16.onnx',
	'onnx/model.onnx',
];

/** An Immich export whose text tower keeps its weights in external data. */
export const IMMICH_REPO_PATHS = [
	'config.json',
	'README.md',
	'textual/model.onnx',
	'textual/model.onnx.data',
	'textual/tokenizer.json',
	'textual/tokenizer_config.json',
	'visual/model.onnx',
	'visual/preprocess_cfg.json',
	'visual/fp16/model.armnn',
];
