import { dot } from './embeddingMath';

/**
 * Score an image at a class's prototype gets against the nearest other class alone. Image–image
 * cosines sit far higher and closer together than image–text ones (the modality gap: examples of
 * one class at 0.99, other classes at 0.5–0.95 on the test models, where text prompts sit at
 * 0–0.3), so the model's logit scale (100, tuned on image–text cosines) would put nearly every
 * score at 1.0 and leave no room for a threshold. The scale is instead taken from the classes
 * themselves: the typical distance between a prototype and its nearest rival maps to this score.
 */
export const SCORE_AT_PROTOTYPE = 0.95;

/** No sharper than CLIP's own text scale, for classes whose prototypes (nearly) coincide. */
export const MAX_EXAMPLE_SCALE = 100;

/**
 * The softmax scale for example classes: ln(p/(1−p)) / median over classes of
 * (1 − cosine to the nearest other prototype), with p = SCORE_AT_PROTOTYPE, at most
 * MAX_EXAMPLE_SCALE. A query as close to its prototype as the examples are scores about 0.95
 * against the nearest rival class; one halfway between two classes scores 0.5.
 */
export function exampleScale(prototypes: readonly Float32Array[]): number {
	if (prototypes.length < 2) return MAX_EXAMPLE_SCALE;
	const distances = prototypes.map((p, c) => {
		let nearest = -1;
		prototypes.forEach((o, k) => {
			if (k !== c) nearest = Math.max(nearest, dot(p, o));
		});
		return 1 - nearest;
	});
	distances.sort((a, b) => a - b);
	const mid = distances.length / 2;
	const median = distances.length % 2 === 1 ? distances[Math.floor(mid)] : (distances[mid - 1] + distances[mid]) / 2;
	const logitGap = Math.log(SCORE_AT_PROTOTYPE / (1 - SCORE_AT_PROTOTYPE));
	return median <= logitGap / MAX_EXAMPLE_SCALE ? MAX_EXAMPLE_SCALE : logitGap / median;
}
