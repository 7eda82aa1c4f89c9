import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError, ModelFileError } from '../errors';
import type { PreprocessSpec } from '../image/preprocessSpec';
import type { ResizeMode } from '../image/resizeGeometry';
import { DEFAULT_CONTEXT_LENGTH, type ModelDescriptor } from './modelDescriptor';
import { CLIP_TEXT_RULES, familyOfHfConfig, familyOfOpenClipConfig, openClipTextNormalization, type TextRules } from './modelFamily';
import { variantSuffix, variantsIn } from './modelVariants';
import { readJsonFile } from './readJsonFile';

async function firstExisting(paths: readonly string[]): Promise<string | undefined> {
	for (const path of paths) if (await exists(path)) return path;
	return undefined;
}

async function exists(path: string): Promise<boolean> {
	try {
		await stat(path);
		return true;
	} catch {
		return false;
	}
}

/**
 * Reads a CLIP model folder in either public layout and describes it, without loading any
 * ONNX session. Fails naming the missing or malformed file.
 */
export async function inspectModelFolder(folder: string, variant = 'fp32'): Promise<ModelDescriptor> {
	let info;
	try {
		info = await stat(folder);
	} catch {
		throw new EngineError('MODEL_FOLDER', `model folder ${folder} does not exist`, 'Give the path of a folder holding a CLIP model export, or a preset name.');
	}
	if (!info.isDirectory()) throw new EngineError('MODEL_FOLDER', `${folder} is not a folder`);
	if ((await exists(join(folder, 'visual'))) || (await exists(join(folder, 'textual')))) return inspectImmich(folder, variant);
	if (await exists(join(folder, 'onnx'))) return inspectHuggingFace(folder, variant);
	throw new EngineError(
		'MODEL_FOLDER',
		`${folder} is not a CLIP model folder in a known layout`,
		'Expected onnx/vision_model.onnx + onnx/text_model.onnx (Hugging Face / transformers.js export) or visual/model.onnx + textual/model.onnx (Immich / OpenCLIP export).',
	);
}

function numberArray3(value: unknown, file: string, field: string): [number, number, number] {
	if (Array.isArray(value) && value.length === 3 && value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
		return [value[0] as number, value[1] as number, value[2] as number];
	}
	throw new ModelFileError(file, `"${field}" must be a list of 3 numbers`);
}

function positiveInt(value: unknown): number | undefined {
	return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/** `size` fields come as a number, `{shortest_edge}`, `{height, width}` or `[h, w]`. */
function sizeOf(value: unknown): { shortest?: number; height?: number; width?: number } {
	if (positiveInt(value)) return { shortest: value as number, height: value as number, width: value as number };
	if (Array.isArray(value) && value.length === 2) return { height: positiveInt(value[0]), width: positiveInt(value[1]) };
	if (value && typeof value === 'object') {
		const v = value as Record<string, unknown>;
		return { shortest: positiveInt(v.shortest_edge), height: positiveInt(v.height), width: positiveInt(v.width) };
	}
	return {};
}

async function inspectHuggingFace(folder: string, variant: string): Promise<ModelDescriptor> {
	const onnxDir = join(folder, 'onnx');
	const baseNames = (await readdir(onnxDir)).filter((f) => f.endsWith('.onnx')).map((f) => f.slice(0, -'.onnx'.length));
	const suffix = variantSuffix(variant);
	const text = join(onnxDir, `text_model${suffix}.onnx`);
	const vision = join(onnxDir, `vision_model${suffix}.onnx`);
	const combined = join(onnxDir, `model${suffix}.onnx`);
	const separateVariants = variantsIn(baseNames, 'vision_model');
	const combinedVariants = variantsIn(baseNames, 'model');
	const availableVariants = [...new Set([...separateVariants, ...combinedVariants])].sort();

	let towers: ModelDescriptor['towers'];
	const hasText = await exists(text);
	const hasVision = await exists(vision);
	if (hasText && hasVision) towers = { kind: 'separate', text, vision };
	else if (await exists(combined)) towers = { kind: 'combined', model: combined };
	else if (hasText || hasVision) throw new ModelFileError(hasText ? vision : text, 'is missing (the other tower is there)');
	else {
		throw new ModelFileError(
			vision,
			`is missing: no "${variant}" variant of the model in ${onnxDir}`,
			availableVariants.length > 0 ? `Variants present: ${availableVariants.join(', ')}.` : 'The onnx folder holds no model files.',
		);
	}

	const configPath = join(folder, 'config.json');
	const config = await readJsonFile(configPath);
	const preprocessorPath = join(folder, 'preprocessor_config.json');
	const preprocessor = await readJsonFile(preprocessorPath);
	const tokenizer = join(folder, 'tokenizer.json');
	if (!(await exists(tokenizer))) throw new ModelFileError(tokenizer, 'is missing');
	const tokenizerConfig = join(folder, 'tokenizer_config.json');

	const family = familyOfHfConfig(config, configPath);
	checkRescaleAndResample(preprocessor, preprocessorPath);
	const textConfig = (config.text_config ?? {}) as Record<string, unknown>;
	const visionConfig = (config.vision_config ?? {}) as Record<string, unknown>;
	const crop = sizeOf(preprocessor.crop_size);
	const resize = sizeOf(preprocessor.size);
	const doCrop = preprocessor.do_center_crop !== false;
	const size = (doCrop ? (crop.height ?? crop.shortest) : undefined) ?? resize.shortest ?? resize.height ?? positiveInt(visionConfig.image_size);
	if (size === undefined) throw new ModelFileError(preprocessorPath, 'gives no image size ("crop_size" or "size")');
	const preprocess: PreprocessSpec = {
		size,
		resizeTo: doCrop ? (resize.shortest ?? size) : size,
		resizeMode: doCrop && resize.shortest !== undefined ? 'shortest' : resize.shortest === undefined ? 'squash' : 'shortest',
		mean: numberArray3(preprocessor.image_mean, preprocessorPath, 'image_mean'),
		std: numberArray3(preprocessor.image_std, preprocessorPath, 'image_std'),
	};
	return {
		folder,
		layout: 'hf',
		family,
		textRules: family === 'siglip' ? await hfSiglipTextRules(tokenizerConfig) : CLIP_TEXT_RULES,
		variant,
		towers,
		...(family === 'siglip' && towers.kind === 'separate' ? { scoringGraph: await firstExisting([combined, join(onnxDir, 'model.onnx')]) } : {}),
		tokenizer,
		tokenizerConfig: (await exists(tokenizerConfig)) ? tokenizerConfig : undefined,
		preprocess,
		contextLength: positiveInt(textConfig.max_position_embeddings) ?? DEFAULT_CONTEXT_LENGTH,
		embeddingSize: positiveInt(config.projection_dim),
		availableVariants,
	};
}

/** PIL.Image.BICUBIC, the filter every CLIP and SigLIP processor uses and the only one the engine reproduces. */
const PIL_BICUBIC = 3;

/**
 * The engine scales pixels by 1/255 and resamples with Pillow's bicubic filter: a processor config
 * asking for anything else is refused rather than silently preprocessed differently.
 */
function checkRescaleAndResample(preprocessor: Record<string, unknown>, path: string): void {
	if (preprocessor.do_rescale === false) throw new ModelFileError(path, '"do_rescale": false is not supported (pixels are always scaled to 0..1)');
	const factor = preprocessor.rescale_factor;
	if (factor !== undefined && (typeof factor !== 'number' || Math.abs(factor - 1 / 255) > 1e-9)) {
		throw new ModelFileError(path, `"rescale_factor" ${String(factor)} is not supported (only 1/255)`);
	}
	if (preprocessor.resample !== undefined && preprocessor.resample !== PIL_BICUBIC) {
		throw new ModelFileError(path, `"resample" ${String(preprocessor.resample)} is not supported (only 3, bicubic)`);
	}
}

/**
 * SigLIP's Hugging Face tokenizer was trained on lower-cased, punctuation-free text and padded to
 * max_length; `do_lower_case: false` in tokenizer_config.json keeps the case (and punctuation).
 */
async function hfSiglipTextRules(tokenizerConfig: string): Promise<TextRules> {
	const config = (await exists(tokenizerConfig)) ? await readJsonFile(tokenizerConfig) : {};
	return { padToContextLength: true, normalization: config.do_lower_case === false ? 'whitespace' : 'canonicalize' };
}

const OPEN_CLIP_RESIZE_MODES: readonly string[] = ['shortest', 'squash'];

async function inspectImmich(folder: string, variant: string): Promise<ModelDescriptor> {
	const suffix = variantSuffix(variant);
	const text = join(folder, 'textual', `model${suffix}.onnx`);
	const vision = join(folder, 'visual', `model${suffix}.onnx`);
	for (const path of [vision, text]) {
		if (!(await exists(path))) {
			throw new ModelFileError(path, suffix === '' ? 'is missing' : `is missing (no "${variant}" variant in this Immich-layout folder)`);
		}
	}
	const configPath = join(folder, 'config.json');
	const config = await readJsonFile(configPath);
	const textCfg = (config.text_cfg ?? {}) as Record<string, unknown>;
	const preprocessPath = join(folder, 'visual', 'preprocess_cfg.json');
	const cfg = await readJsonFile(preprocessPath);
	const size = sizeOf(cfg.size);
	const side = size.height ?? size.shortest;
	if (side === undefined) throw new ModelFileError(preprocessPath, '"size" must be a number or [height, width]');
	if (size.width !== undefined && size.width !== side) throw new ModelFileError(preprocessPath, 'only square model inputs are supported');
	const resizeMode = typeof cfg.resize_mode === 'string' ? cfg.resize_mode : 'shortest';
	if (!OPEN_CLIP_RESIZE_MODES.includes(resizeMode)) {
		throw new ModelFileError(preprocessPath, `resize_mode "${resizeMode}" is not supported (supported: ${OPEN_CLIP_RESIZE_MODES.join(', ')})`);
	}
	const interpolation = typeof cfg.interpolation === 'string' ? cfg.interpolation : 'bicubic';
	if (interpolation !== 'bicubic') throw new ModelFileError(preprocessPath, `interpolation "${interpolation}" is not supported (only bicubic)`);
	const tokenizer = join(folder, 'textual', 'tokenizer.json');
	if (!(await exists(tokenizer))) throw new ModelFileError(tokenizer, 'is missing');
	const tokenizerConfig = join(folder, 'textual', 'tokenizer_config.json');
	const family = familyOfOpenClipConfig(config);
	return {
		folder,
		layout: 'immich',
		family,
		textRules: { padToContextLength: family === 'siglip', normalization: openClipTextNormalization(config, family) },
		variant,
		towers: { kind: 'separate', text, vision },
		tokenizer,
		tokenizerConfig: (await exists(tokenizerConfig)) ? tokenizerConfig : undefined,
		preprocess: {
			size: side,
			resizeTo: side,
			resizeMode: resizeMode as ResizeMode,
			mean: numberArray3(cfg.mean, preprocessPath, 'mean'),
			std: numberArray3(cfg.std, preprocessPath, 'std'),
		},
		contextLength: positiveInt(textCfg.context_length) ?? DEFAULT_CONTEXT_LENGTH,
		embeddingSize: positiveInt(config.embed_dim),
		availableVariants: suffix === '' ? ['fp32'] : ['fp32', variant],
	};
}
