import type { IDataObject } from 'n8n-workflow';

/** An embedding as it appears on the item's JSON: the vector, the model it came from, its size. */
export function embeddingJson(embedding: Float32Array | readonly Float32Array[], model: string): IDataObject {
	if (embedding instanceof Float32Array) return { embedding: Array.from(embedding), model, dimension: embedding.length };
	return { embedding: embedding.map((e) => Array.from(e)), model, dimension: embedding[0]?.length ?? 0 };
}
