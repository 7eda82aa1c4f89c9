/**
 * Errors the engine raises for conditions a user can fix. Each carries a stable `code` so callers
 * (the n8n node, the CLI) can word or group them without parsing messages.
 */
export type EngineErrorCode =
	| 'MODEL_FOLDER'
	| 'MODEL_FILE'
	| 'IMAGE_DECODE'
	| 'IMAGE_TOO_LARGE'
	| 'CLASS_LIST'
	/** A stored image embedding that cannot be classified (wrong length, another model, malformed). */
	| 'EMBEDDING'
	| 'INFERENCE'
	| 'CANCELLED';

export class EngineError extends Error {
	constructor(
		readonly code: EngineErrorCode,
		message: string,
		/** What the user can do about it, when there is something to say. */
		readonly hint?: string,
	) {
		super(message);
		this.name = 'EngineError';
	}
}

/** A model folder or one of its files is missing or malformed; `file` names the culprit. */
export class ModelFileError extends EngineError {
	constructor(
		readonly file: string,
		reason: string,
		hint?: string,
	) {
		super('MODEL_FILE', `${file}: ${reason}`, hint);
		this.name = 'ModelFileError';
	}
}

export class ImageDecodeError extends EngineError {
	constructor(reason: string, hint?: string) {
		super('IMAGE_DECODE', reason, hint);
		this.name = 'ImageDecodeError';
	}
}

export function errorMessage(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
