/**
 * How cosine similarities become scores. CLIP: logits = scale × cosine, softmax over the classes
 * (scores sum to 1, a ranking). SigLIP: logits = scale × cosine + bias, sigmoid per class (each
 * class scored on its own, scores do not sum to 1). `scale` is the multiplier itself, exp(logit_scale).
 */
export type ScoringRule = { readonly kind: 'softmax'; readonly scale: number } | { readonly kind: 'sigmoid'; readonly scale: number; readonly bias: number };

export type ScoringKind = ScoringRule['kind'];

export function sigmoid(logit: number): number {
	// Two forms so that neither overflows: exp of a large positive number is Infinity.
	if (logit >= 0) return 1 / (1 + Math.exp(-logit));
	const e = Math.exp(logit);
	return e / (1 + e);
}
