/**
 * The two encoders of a CLIP model, whatever the export looks like. Embeddings come back
 * L2-normalized, one Float32Array per input.
 */
export interface ClipTowers {
	/** Largest image batch the vision graph accepts (1 for static-batch exports). */
	readonly maxImageBatch: number;
	readonly maxTextBatch: number;
	/** Token positions the text graph takes: its static dimension, else the configured context length. */
	readonly contextLength: number;
	/** Images per call = pixels.length / (3 x size x size). */
	embedImages(pixels: Float32Array, count: number): Promise<Float32Array[]>;
	embedTexts(tokenIds: readonly (readonly number[])[]): Promise<Float32Array[]>;
	/** The logit scale (and bias) the export itself defines (combined graphs), if any. */
	readonly exportLogits: ExportLogits | undefined;
	release(): Promise<void>;
}

/** logit = scale × cosine + bias; `scale` is the multiplier, exp(logit_scale); CLIP's bias is 0. */
export interface ExportLogits {
	readonly scale: number;
	readonly bias: number;
}
