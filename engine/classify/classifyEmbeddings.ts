import { EngineError } from '../errors';
import type { ClipModel } from '../model/clipModel';
import { l2NormalizeInPlace } from '../scoring/embeddingMath';
import { scoreAgainstClasses, type Classification, type ClassifyOptions, type ClassesOf } from './classifyImages';

/** An image embedding made earlier (Embed Image, a database), classified without its image. */
export interface EmbeddingClassificationRequest extends ClassesOf {
	readonly embedding: Float32Array;
}

export type EmbeddingClassifyOptions = Pick<ClassifyOptions, 'template' | 'templates' | 'logitScale' | 'logitBias'>;

/**
 * Classifies stored image embeddings against their class lists, exactly as `classifyImages`
 * scores the embeddings it computes (same class embeddings, same scoring); the vision tower is
 * never run. A request whose embedding has another length than the model's class embeddings,
 * or holds a non-finite or all-zero vector, gets its Error in its slot.
 */
export function classifyEmbeddings(model: ClipModel, requests: readonly EmbeddingClassificationRequest[], options: EmbeddingClassifyOptions = {}): Promise<Array<Classification | Error>> {
	return scoreAgainstClasses(model, requests, options, async (valid, dimensions) => valid.map((request, k) => checkedEmbedding(model, request.embedding, dimensions[k])));
}

/** A stored embedding ready to score against `dimension`-long class embeddings, or why it is not. */
export function checkedEmbedding(model: ClipModel, embedding: Float32Array, dimension: number): Float32Array | Error {
	if (embedding.length !== dimension) {
		return new EngineError(
			'EMBEDDING',
			`the embedding has ${embedding.length} values and ${model.descriptor.folder} makes ${dimension}-dimensional embeddings`,
			'Classify it with the model that embedded it (the one Embed Image names in `model`).',
		);
	}
	let squares = 0;
	for (let i = 0; i < embedding.length; i++) {
		if (!Number.isFinite(embedding[i])) return new EngineError('EMBEDDING', `value ${i + 1} of the embedding is not a finite number`);
		squares += embedding[i] * embedding[i];
	}
	if (squares === 0) return new EngineError('EMBEDDING', 'the embedding is all zeros: it has no direction to compare');
	// Embed Image's vectors are unit length already and are scored as they are (bit-identical to
	// classifying the image); one rounded by a database or made elsewhere is brought back to unit
	// length, since the scores are scaled cosines. On a copy: the caller's stays as given.
	if (Math.abs(Math.sqrt(squares) - 1) <= UNIT_TOLERANCE) return embedding;
	return l2NormalizeInPlace(Float32Array.from(embedding));
}

/** How far from 1 the norm of a float32 unit vector strays by rounding alone (a few ulps over 1,000+ terms). */
const UNIT_TOLERANCE = 1e-5;
