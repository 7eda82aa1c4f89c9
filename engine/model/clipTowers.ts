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
	/** A logit scale the export itself defines (combined graphs), if any. */
	readonly exportLogitScale: number | undefined;
	release(): Promise<void>;
}
