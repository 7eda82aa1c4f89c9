import { EngineError } from '../errors';
import { l2NormalizeInPlace } from './embeddingMath';

/**
 * A class defined by example images: the L2-normalized mean of its examples' (already
 * L2-normalized) image embeddings. The mean is accumulated in float64 so the order of the
 * examples does not change the result beyond float32 rounding.
 */
export function classPrototype(label: string, examples: readonly Float32Array[]): Float32Array {
	if (examples.length === 0) {
		throw new EngineError('CLASS_LIST', `Class '${label}' has no example embeddings; give it at least one example`);
	}
	const dim = examples[0].length;
	const sum = new Float64Array(dim);
	examples.forEach((example, index) => {
		if (example.length !== dim) {
			throw new EngineError(
				'CLASS_LIST',
				`Example ${index + 1} of class '${label}' has ${example.length} dimensions, the others ${dim}: examples of one model only`,
			);
		}
		for (let i = 0; i < dim; i++) sum[i] += example[i];
	});
	const mean = new Float32Array(dim);
	for (let i = 0; i < dim; i++) mean[i] = sum[i] / examples.length;
	return l2NormalizeInPlace(mean);
}

/**
 * Blends a class's prompt embedding into its prototype: normalize(w·text + (1−w)·prototype).
 * w = 0 is the prototype alone, w = 1 the text prompt alone.
 */
export function blendTextIntoPrototype(prototype: Float32Array, text: Float32Array, textWeight: number): Float32Array {
	if (!(textWeight >= 0 && textWeight <= 1)) {
		throw new EngineError('CLASS_LIST', `Text Weight must be between 0 and 1, got ${textWeight}`);
	}
	if (text.length !== prototype.length) {
		throw new EngineError(
			'CLASS_LIST',
			`The prompt embedding has ${text.length} dimensions, the prototype ${prototype.length}`,
		);
	}
	const blended = new Float32Array(prototype.length);
	for (let i = 0; i < blended.length; i++) blended[i] = textWeight * text[i] + (1 - textWeight) * prototype[i];
	return l2NormalizeInPlace(blended);
}
