import { embedImages, type ImageEmbeddingOptions, type ImageInput } from '../embed/embedImages';
import type { ExampleClassSet } from '../examples/exampleClasses';
import type { ClipModel } from '../model/clipModel';
import { batchProbabilities, packClasses } from '../scoring/batchScores';
import { checkedEmbedding } from './classifyEmbeddings';
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
	return withErrorsInPlace(await embedImages(model, images, options), classes);
}

/**
 * Stored image embeddings (Embed Image's, read back from a database) scored against the example
 * classes, with the same checks as against text classes: another length, a non-finite or an
 * all-zero vector gets its Error in its slot.
 */
export function classifyStoredEmbeddingsByExamples(model: ClipModel, embeddings: readonly Float32Array[], classes: ExampleClassSet): Array<Classification | Error> {
	const dimension = classes.embeddings[0]?.length ?? 0;
	return withErrorsInPlace(embeddings.map((embedding) => checkedEmbedding(model, embedding, dimension)), classes);
}

function withErrorsInPlace(embeddings: ReadonlyArray<Float32Array | Error>, classes: ExampleClassSet): Array<Classification | Error> {
	const scored = classifyEmbeddingsByExamples(embeddings.filter((e): e is Float32Array => !(e instanceof Error)), classes);
	let next = 0;
	return embeddings.map((e) => (e instanceof Error ? e : scored[next++]));
}
