import type { PreprocessSpec } from '../image/preprocessSpec';
import type { ModelFamily, TextRules } from './modelFamily';

export type ModelLayout = 'hf' | 'immich';

/** Everything the engine needs to know about a model folder before loading any session. */
export interface ModelDescriptor {
	readonly folder: string;
	readonly layout: ModelLayout;
	/** CLIP (softmax) or SigLIP (sigmoid with a bias), from the folder's config. */
	readonly family: ModelFamily;
	/** Padding and text cleaning the text tower was trained with. */
	readonly textRules: TextRules;
	readonly variant: string;
	/** Separate towers, or one combined graph taking both inputs (`onnx/model.onnx`). */
	readonly towers: { readonly kind: 'separate'; readonly text: string; readonly vision: string } | { readonly kind: 'combined'; readonly model: string };
	/**
	 * A combined graph beside the separate towers (`onnx/model.onnx`): SigLIP's scale and bias are
	 * read from it once at load, since the separate towers do not carry them.
	 */
	readonly scoringGraph?: string;
	readonly tokenizer: string;
	readonly tokenizerConfig: string | undefined;
	readonly preprocess: PreprocessSpec;
	/** Token positions the text tower takes (static input dimensions still win). */
	readonly contextLength: number;
	readonly embeddingSize: number | undefined;
	/** Variants present in the folder, for error messages and the CLI. */
	readonly availableVariants: readonly string[];
}

export const DEFAULT_CONTEXT_LENGTH = 77;
