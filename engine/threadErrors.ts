import { EngineError, ImageDecodeError, type EngineErrorCode } from './errors';

/** An error as it crosses a thread boundary (classes do not survive structured cloning). */
export interface SerializedError {
	readonly message: string;
	readonly code?: EngineErrorCode;
	readonly hint?: string;
}

export function serializeError(error: unknown): SerializedError {
	if (error instanceof EngineError) return { message: error.message, code: error.code, hint: error.hint };
	return { message: error instanceof Error ? error.message : String(error) };
}

/** The error the other thread threw, same class and code. */
export function deserializeError(error: SerializedError): Error {
	if (error.code === 'IMAGE_DECODE') return new ImageDecodeError(error.message, error.hint);
	if (error.code) return new EngineError(error.code, error.message, error.hint);
	return new Error(error.message);
}
