import { EngineError } from '../errors';

/** L2-normalizes in place (float64 accumulation); a zero vector is left as is. */
export function l2NormalizeInPlace(vector: Float32Array): Float32Array {
	let sum = 0;
	for (let i = 0; i < vector.length; i++) sum += vector[i] * vector[i];
	const norm = Math.sqrt(sum);
	if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] /= norm;
	return vector;
}

export function dot(a: Float32Array, b: Float32Array): number {
	let sum = 0;
	for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
	return sum;
}

/** Numerically stable softmax in float64. */
export function softmax(logits: readonly number[]): number[] {
	let max = -Infinity;
	for (const l of logits) if (l > max) max = l;
	const exps = logits.map((l) => Math.exp(l - max));
	const total = exps.reduce((a, b) => a + b, 0);
	return exps.map((e) => e / total);
}

/**
 * CLIP's zero-shot scores for one image: logits = scale x cosine with each class's text
 * embedding (both already L2-normalized), then softmax over the classes.
 */
export function classProbabilities(image: Float32Array, classes: readonly Float32Array[], logitScale: number): { logits: number[]; probabilities: number[] } {
	for (const text of classes) {
		if (text.length !== image.length) {
			// Graphs with dynamic output sizes escape the load-time check: never score a partial dot product.
			throw new EngineError('INFERENCE', `the text embeddings have ${text.length} dimensions and the image embeddings ${image.length}: the two towers are not from the same model`);
		}
	}
	const logits = classes.map((text) => logitScale * dot(image, text));
	return { logits, probabilities: softmax(logits) };
}

/**
 * A prompt ensemble's class embedding (CLIP paper, section 3.1.4): the mean of the prompts'
 * L2-normalized embeddings, renormalized. Summed in float64 in prompt order.
 */
export function ensembleEmbedding(rows: readonly Float32Array[]): Float32Array {
	const dim = rows[0]?.length ?? 0;
	const sum = new Float64Array(dim);
	for (const row of rows) for (let i = 0; i < dim; i++) sum[i] += row[i];
	const mean = new Float32Array(dim);
	for (let i = 0; i < dim; i++) mean[i] = sum[i] / rows.length;
	return l2NormalizeInPlace(mean);
}
