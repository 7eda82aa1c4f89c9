import type { IExecuteFunctions } from 'n8n-workflow';
import { EngineError } from '../../../../engine';

/** An item's stored image embedding(s), read from a JSON field. */
export interface ItemEmbeddings {
	readonly embeddings: Float32Array[];
	/** The field held a list of embeddings (Embed Image's batched form). */
	readonly batched: boolean;
}

type Json = unknown;

function fieldAt(root: Json, path: readonly string[]): Json {
	return path.reduce<Json>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), root);
}

/**
 * The forms an embedding arrives in: Embed Image's JSON list of numbers (or list of lists), the
 * same as text (a JSON column or `JSON.stringify`, which is also pgvector's text form
 * `[0.1,0.2]`), a PostgreSQL array literal `{0.1,0.2}` (a `real[]` read as text), or Embed
 * Image's whole output object `{ embedding, model, dimension }` (a JSON column holding it).
 */
function parsedValue(value: Json, field: string): Json {
	if (typeof value !== 'string') return value;
	const text = value.trim();
	const json = text.startsWith('{') && text.endsWith('}') && !text.includes(':') ? `[${text.slice(1, -1)}]` : text;
	const parsed = parsedJson(json);
	if (parsed === undefined) throw new EngineError('EMBEDDING', `the JSON field "${field}" holds text that is not an embedding (expected a list of numbers such as [0.1,-0.2,...])`);
	return parsed;
}

function parsedJson(text: string): Json {
	try {
		return JSON.parse(text) as Json;
	} catch {
		return undefined;
	}
}

function vector(value: Json, what: string): Float32Array {
	if (!Array.isArray(value)) throw new EngineError('EMBEDDING', `${what} is not a list of numbers`);
	if (value.length === 0) throw new EngineError('EMBEDDING', `${what} is empty`);
	const out = new Float32Array(value.length);
	value.forEach((v, i) => {
		if (typeof v !== 'number' || !Number.isFinite(v)) throw new EngineError('EMBEDDING', `value ${i + 1} of ${what} is not a finite number (${JSON.stringify(v) ?? String(v)})`);
		out[i] = v;
	});
	return out;
}

/**
 * Reads the embedding(s) at `field` of item `index`. When the item says which model made them
 * (`model` beside the field, as Embed Image writes it and a table row keeps it), that must be the
 * model this node runs: embeddings of different models live in unrelated spaces even when their
 * lengths agree.
 */
export function itemEmbeddings(context: IExecuteFunctions, index: number, modelName: string): ItemEmbeddings {
	const field = context.getNodeParameter('embeddingField', index, 'embedding') as string;
	const path = field.split('.');
	const item = context.getInputData()[index];
	const raw = fieldAt(item.json, path);
	if (raw === undefined || raw === null) throw new EngineError('EMBEDDING', `there is no JSON field "${field}"`, 'Name the field holding the embedding Embed Image made (its `embedding`, or the column a database read gives back).');
	let value = parsedValue(raw, field);
	let model = fieldAt(item.json, [...path.slice(0, -1), 'model']);
	if (value && typeof value === 'object' && !Array.isArray(value) && 'embedding' in value) {
		const stored = value as { embedding?: Json; model?: Json };
		value = parsedValue(stored.embedding, field);
		model = stored.model;
	}
	if (typeof model === 'string' && model.trim() !== '' && model.trim() !== modelName.trim()) {
		throw new EngineError(
			'EMBEDDING',
			`its embedding was made by ${model.trim()}, and this node runs ${modelName.trim()}`,
			'Embeddings of different models cannot be compared: classify with the model that made them, or embed the images again with this one. The names are compared as typed: a preset and the same model given as a folder or Hub repo count as different, so choose the model the way Embed Image was given it.',
		);
	}
	if (Array.isArray(value) && Array.isArray(value[0])) {
		return { embeddings: value.map((entry, k) => vector(entry, `embedding ${k + 1} of ${value.length} in "${field}"`)), batched: true };
	}
	return { embeddings: [vector(value, `the JSON field "${field}"`)], batched: false };
}
