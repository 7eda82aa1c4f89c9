import { embedImages, type ImageEmbeddingOptions, type ImageInput } from '../embed/embedImages';
import type { ExampleClassSet } from '../examples/exampleClasses';
import type { ClipModel } from '../model/clipModel';
import { batchProbabilities, packClasses } from '../scoring/batchScores';
import type { Classification } from './classifyImages';

/**
 * Scores image embeddings against example classes: softmax of the classes' own scale × cosine
 * (`exampleScale`), so thresholds, "Other" and multi-label read the scores as for text classes.
 */
export function classifyEmbeddingsByExamples(embeddings: readonly Float32Array[], classes: ExampleClassSet): Classification[] {
	const probabilities = batchProbabilities(embeddings, packClasses(classes.embeddings), { kind: 'softmax', scale: classes.scale });
	return probabilities.map((p) => {
		let best = 0;
		for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
		return { probabilities: p, classes: [...classes.labels], label: classes.labels[best], score: p[best], scoring: 'examples' };
	});
}

/** Every image scored against the example classes; an image that fails gets its Error in its slot. */
export async function classifyImagesByExamples(model: ClipModel, images: readonly ImageInput[], classes: ExampleClassSet, options: ImageEmbeddingOptions = {}): Promise<Array<Classification | Error>> {
	const embeddings = await embedImages(model, images, options);
	const ok = embeddings.filter((e): e is Float32Array => !(e instanceof Error));
	const scored = classifyEmbeddingsByExamples(ok, classes);
	let next = 0;
	return embeddings.map((e) => (e instanceof Error ? e : scored[next++]));
}
