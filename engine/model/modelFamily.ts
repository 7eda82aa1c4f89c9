import { ModelFileError } from '../errors';
import type { TextNormalization } from '../text/canonicalizeText';

/**
 * CLIP (softmax over the classes, prompts padded only as far as the tower needs) or SigLIP
 * (sigmoid per class with a learned bias, prompts padded to the full context as trained).
 */
export type ModelFamily = 'clip' | 'siglip';

/** How prompts must reach the text tower for the scores to mean what the model was trained on. */
export interface TextRules {
	/** Pad every prompt to the context length: SigLIP towers pool without a mask, so padding is part of the input. */
	readonly padToContextLength: boolean;
	readonly normalization: TextNormalization;
}

export const CLIP_TEXT_RULES: TextRules = { padToContextLength: false, normalization: 'none' };

/** Hugging Face `config.json`: `model_type` names the architecture. */
export function familyOfHfConfig(config: Record<string, unknown>, configPath: string): ModelFamily {
	const type = typeof config.model_type === 'string' ? config.model_type : undefined;
	if (type === 'siglip') return 'siglip';
	if (type === 'siglip2') {
		// NaFlex checkpoints take patch sequences of variable aspect ratio, not a square pixel tensor.
		throw new ModelFileError(configPath, 'is a SigLIP 2 NaFlex model ("model_type": "siglip2"), which takes variable-size patch inputs this engine does not build', 'Use a fixed-resolution SigLIP 2 export (e.g. google/siglip2-base-patch16-224, "model_type": "siglip"), or an Immich SigLIP 2 export.');
	}
	return 'clip';
}

/**
 * OpenCLIP `config.json` (the Immich layout): SigLIP configs carry `init_logit_bias` (CLIP has no
 * bias at all), a timm SigLIP vision tower, or the canonicalizing text cleaner SigLIP was trained with.
 */
export function familyOfOpenClipConfig(config: Record<string, unknown>): ModelFamily {
	const vision = (config.vision_cfg ?? {}) as Record<string, unknown>;
	const text = (config.text_cfg ?? {}) as Record<string, unknown>;
	const kwargs = (text.tokenizer_kwargs ?? {}) as Record<string, unknown>;
	if (config.init_logit_bias !== undefined) return 'siglip';
	if (typeof vision.timm_model_name === 'string' && /siglip/i.test(vision.timm_model_name)) return 'siglip';
	if (typeof text.hf_tokenizer_name === 'string' && /siglip/i.test(text.hf_tokenizer_name)) return 'siglip';
	return kwargs.clean === 'canonicalize' ? 'siglip' : 'clip';
}

/** OpenCLIP's `tokenizer_kwargs.clean` (canonicalize, lower, whitespace); SigLIP's own default is canonicalize. */
export function openClipTextNormalization(config: Record<string, unknown>, family: ModelFamily): TextNormalization {
	const text = (config.text_cfg ?? {}) as Record<string, unknown>;
	const clean = ((text.tokenizer_kwargs ?? {}) as Record<string, unknown>).clean;
	if (clean === 'canonicalize' || clean === 'lower' || clean === 'whitespace') return clean;
	return family === 'siglip' ? 'canonicalize' : 'none';
}
