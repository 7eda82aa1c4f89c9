import type { PreprocessSpec } from '../image/preprocessSpec';

export type ModelLayout = 'hf' | 'immich';

/** Everything the engine needs to know about a model folder before loading any session. */
export interface ModelDescriptor {
	readonly folder: string;
	readonly layout: ModelLayout;
	readonly variant: string;
	/** Separate towers, or one combined graph taking both inputs (`onnx/model.onnx`). */
	readonly towers: { readonly kind: 'separate'; readonly text: string; readonly vision: string } | { readonly kind: 'combined'; readonly model: string };
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
