import { EngineError } from '../errors';
import type { ClipModel } from '../model/clipModel';
import type { ScoringRule } from '../scoring/scoringRule';

export interface ScoringOverrides {
	/** Replaces the model's logit scale (the multiplier, e.g. 100). */
	readonly logitScale?: number;
	/** Replaces a SigLIP model's logit bias; ignored for CLIP (softmax does not move with a shared bias). */
	readonly logitBias?: number;
}

/** The model's scoring with the caller's overrides; a SigLIP model without scale and bias is an error saying how to give them. */
export function classificationScoring(model: ClipModel, overrides: ScoringOverrides): ScoringRule {
	const base = model.scoring;
	const scale = overrides.logitScale ?? base?.scale;
	// A CLIP model always has a scale (the export's, the preset's or the trained 100).
	if (model.family === 'clip') return { kind: 'softmax', scale: scale as number };
	const bias = overrides.logitBias ?? (base?.kind === 'sigmoid' ? base.bias : undefined);
	if (scale === undefined || bias === undefined) {
		const missing = [scale === undefined ? 'logit scale' : undefined, bias === undefined ? 'logit bias' : undefined].filter(Boolean).join(' and ');
		throw new EngineError(
			'MODEL_FILE',
			`${model.descriptor.folder} is a SigLIP model that gives no ${missing}: sigmoid scores cannot be computed without them`,
			'Separate-tower exports (the Immich layout, or onnx/text_model.onnx + onnx/vision_model.onnx alone) do not carry them; the combined onnx/model.onnx does. Give the trained values as Logit Scale and Logit Bias (in OpenCLIP: model.logit_scale.exp() and model.logit_bias). Embeddings need neither.',
		);
	}
	return { kind: 'sigmoid', scale, bias };
}
