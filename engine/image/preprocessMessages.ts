import type { SerializedError } from '../threadErrors';
import type { PreprocessOptions } from './preprocessImage';
import type { PreprocessSpec } from './preprocessSpec';

/** main → preprocessing thread: one image. */
export interface PreprocessRequest {
	readonly id: number;
	readonly input: Uint8Array;
	readonly spec: PreprocessSpec;
	readonly options: PreprocessOptions;
}

/** preprocessing thread → main: the model input (normalized CHW), or why there is none. */
export type PreprocessReply = { readonly id: number; readonly pixels: Float32Array } | { readonly id: number; readonly error: SerializedError };
