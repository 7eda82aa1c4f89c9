import { ModelFileError } from '../errors';
import type { OnnxSession } from '../onnx/onnxSession';
import { describeSignatures, findByName, type TensorSignature } from '../onnx/tensorSignature';

const INTEGER_TYPES = ['int64', 'int32'];
const FLOAT_TYPES = ['float32', 'float16'];

export interface TextSignature {
	readonly ids: TensorSignature;
	readonly attentionMask: TensorSignature | undefined;
	readonly embedding: TensorSignature;
}

export interface VisionSignature {
	readonly pixels: TensorSignature;
	readonly embedding: TensorSignature;
}

function fail(session: OnnxSession, what: string): never {
	throw new ModelFileError(
		session.path,
		`${what} (inputs: ${describeSignatures(session.inputs)}; outputs: ${describeSignatures(session.outputs)})`,
	);
}

/** Finds the token-id input, optional attention mask and embedding output of a text graph. */
export function textSignature(session: OnnxSession): TextSignature {
	const ids =
		findByName(session.inputs, ['input_ids', 'text']) ??
		session.inputs.find((s) => INTEGER_TYPES.includes(s.type) && s.dims.length === 2 && s.name !== 'attention_mask');
	if (!ids || !INTEGER_TYPES.includes(ids.type) || ids.dims.length !== 2) fail(session, 'has no integer [batch, tokens] input for token ids');
	const attentionMask = findByName(session.inputs, ['attention_mask']);
	const other = session.inputs.filter((s) => s !== ids && s !== attentionMask);
	if (other.length > 0) fail(session, `needs inputs this engine cannot provide (${other.map((s) => s.name).join(', ')})`);
	const embedding = findByName(session.outputs, ['text_embeds', 'embedding', 'text_embedding', 'sentence_embedding', 'pooler_output']) ?? session.outputs.find((s) => s.dims.length === 2 && FLOAT_TYPES.includes(s.type));
	if (!embedding || !FLOAT_TYPES.includes(embedding.type)) fail(session, 'has no float [batch, dim] text embedding output');
	return { ids, attentionMask, embedding };
}

/** Finds the pixel input and embedding output of a vision graph, checking its image size. */
export function visionSignature(session: OnnxSession, size: number): VisionSignature {
	const pixels = findByName(session.inputs, ['pixel_values', 'image']) ?? session.inputs.find((s) => s.dims.length === 4 && FLOAT_TYPES.includes(s.type));
	if (!pixels || !FLOAT_TYPES.includes(pixels.type) || pixels.dims.length !== 4) fail(session, 'has no float [batch, 3, height, width] image input');
	const [, channels, height, width] = pixels.dims;
	if ((channels !== undefined && channels !== 3) || (height !== undefined && height !== size) || (width !== undefined && width !== size)) {
		fail(session, `takes ${channels ?? '?'}x${height ?? '?'}x${width ?? '?'} images but the preprocessing config gives 3x${size}x${size}`);
	}
	const embedding = findByName(session.outputs, ['image_embeds', 'embedding', 'image_embedding', 'pooler_output']) ?? session.outputs.find((s) => s.dims.length === 2 && FLOAT_TYPES.includes(s.type));
	if (!embedding || !FLOAT_TYPES.includes(embedding.type)) fail(session, 'has no float [batch, dim] image embedding output');
	return { pixels, embedding };
}

/** A static batch dimension caps the batch (Immich exports are fixed at 1). */
export function maxBatch(signature: TensorSignature): number {
	return signature.dims[0] ?? Number.POSITIVE_INFINITY;
}

/** How token rows are padded for the text tower. */
export interface TokenPadding {
	readonly padId: number;
	/** Always to the context length (SigLIP), not just to the longest prompt of the batch. */
	readonly toContextLength: boolean;
}

/**
 * The sequence length of a text batch: the graph's static dimension, else the context length for
 * towers trained on fully padded text (SigLIP pools without a mask: padding changes the result),
 * else the longest prompt (less work, same result for a causal CLIP tower pooled at the end-of-text
 * token; masked towers get their mask).
 */
export function paddedLength(ids: TensorSignature, rows: readonly (readonly number[])[], padding: TokenPadding, contextLength: number): number {
	return ids.dims[1] ?? (padding.toContextLength ? contextLength : Math.max(...rows.map((row) => row.length)));
}
