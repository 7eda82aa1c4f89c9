import { EngineError, ImageDecodeError, type EngineErrorCode } from '../errors';
import type { PreprocessOptions } from './preprocessImage';
import type { PreprocessSpec } from './preprocessSpec';

/** main → preprocessing thread: one image. */
export interface PreprocessRequest {
	readonly id: number;
	readonly input: Uint8Array;
	readonly spec: PreprocessSpec;
	readonly options: PreprocessOptions;
}

/** An error as it crosses the thread boundary (classes do not survive structured cloning). */
export interface SerializedError {
	readonly message: string;
	readonly code?: EngineErrorCode;
	readonly hint?: string;
}

/** preprocessing thread → main: the model input (normalized CHW), or why there is none. */
export type PreprocessReply = { readonly id: number; readonly pixels: Float32Array } | { readonly id: number; readonly error: SerializedError };

export function serializeError(error: unknown): SerializedError {
	if (error instanceof EngineError) return { message: error.message, code: error.code, hint: error.hint };
	return { message: error instanceof Error ? error.message : String(error) };
}

/** The error the in-thread path would have thrown, same class and code. */
export function deserializeError(error: SerializedError): Error {
	if (error.code === 'IMAGE_DECODE') return new ImageDecodeError(error.message, error.hint);
	if (error.code) return new EngineError(error.code, error.message, error.hint);
	return new Error(error.message);
}
