import { EngineError } from '../errors';
import { softmax } from './embeddingMath';
import { sigmoid, type ScoringRule } from './scoringRule';

/** The text embeddings of one class list, packed row after row (class-major). */
export interface PackedClasses {
	readonly data: Float32Array;
	readonly count: number;
	readonly dim: number;
}

export function packClasses(rows: readonly Float32Array[]): PackedClasses {
	const dim = rows[0]?.length ?? 0;
	const data = new Float32Array(rows.length * dim);
	rows.forEach((row, c) => data.set(row, c * dim));
	return { data, count: rows.length, dim };
}

/** Images scored together: each class row is read once per group instead of once per image. */
const GROUP = 4;

/**
 * Zero-shot scores for several images against one class list under the model's rule (CLIP:
 * softmax of scale × cosine; SigLIP: sigmoid of scale × cosine + bias; both sides already
 * L2-normalized). With a long class list the dot
 * products dominate (1,000 classes × 512 dimensions per image), so four images share each pass
 * over a class row. Each image's sum runs in index order in float64, exactly as `dot` does, so
 * the logits are bit-identical to scoring the images one by one.
 */
export function batchProbabilities(images: readonly Float32Array[], classes: PackedClasses, rule: ScoringRule): number[][] {
	const { data, count, dim } = classes;
	for (const image of images) {
		if (image.length !== dim) {
			// Graphs with dynamic output sizes escape the load-time check: never score a partial dot product.
			throw new EngineError('INFERENCE', `the text embeddings have ${dim} dimensions and the image embeddings ${image.length}: the two towers are not from the same model`);
		}
	}
	const logitScale = rule.scale;
	const bias = rule.kind === 'sigmoid' ? rule.bias : 0;
	const logits = images.map(() => new Array<number>(count));
	for (let first = 0; first < images.length; first += GROUP) {
		// A short last group repeats its last image: the extra sums are written to the same row twice.
		const at = (k: number): number => Math.min(first + k, images.length - 1);
		const a = images[at(0)];
		const b = images[at(1)];
		const c = images[at(2)];
		const d = images[at(3)];
		const la = logits[at(0)];
		const lb = logits[at(1)];
		const lc = logits[at(2)];
		const ld = logits[at(3)];
		for (let row = 0; row < count; row++) {
			const base = row * dim;
			let sa = 0;
			let sb = 0;
			let sc = 0;
			let sd = 0;
			for (let i = 0; i < dim; i++) {
				const w = data[base + i];
				sa += a[i] * w;
				sb += b[i] * w;
				sc += c[i] * w;
				sd += d[i] * w;
			}
			la[row] = logitScale * sa + bias;
			lb[row] = logitScale * sb + bias;
			lc[row] = logitScale * sc + bias;
			ld[row] = logitScale * sd + bias;
		}
	}
	return rule.kind === 'softmax' ? logits.map((row) => softmax(row)) : logits.map((row) => row.map(sigmoid));
}
