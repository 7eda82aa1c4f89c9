import type { IncomingHttpHeaders } from 'node:http';

/** Why a Hub operation failed; callers (node, CLI) branch on this rather than on message text. */
export type HubErrorCode =
	| 'unauthorized'
	| 'forbidden'
	| 'not-found'
	| 'http'
	| 'network'
	| 'integrity'
	| 'offline'
	| 'aborted'
	| 'unsupported'
	| 'invalid-ref'
	| 'invalid-setting'
	| 'too-many-redirects';

export class HubError extends Error {
	readonly code: HubErrorCode;
	readonly status: number | undefined;
	/** False for a network failure that another attempt would not fix (no such host, nothing listening). */
	readonly retryable: boolean;

	constructor(code: HubErrorCode, message: string, options: { status?: number; cause?: unknown; retryable?: boolean } = {}) {
		super(message, options.cause === undefined ? undefined : { cause: options.cause });
		this.name = 'HubError';
		this.code = code;
		this.status = options.status;
		this.retryable = options.retryable ?? true;
	}
}

export function abortError(): HubError {
	return new HubError('aborted', 'The model download was cancelled.');
}

/**
 * Removes a secret from text that may reach a log or an error shown in the n8n UI.
 * Defence in depth: no message is built from the token on purpose, but server bodies and
 * lower-level errors are quoted and could echo it back.
 */
export function scrubSecret(text: string, secret: string | undefined): string {
	if (secret === undefined || secret.length === 0) return text;
	return text.split(secret).join('***');
}

export interface HubHttpErrorContext {
	repo: string;
	revision: string;
	/** The file being fetched; undefined for the repo listing. */
	file?: string;
	hadToken: boolean;
	token?: string;
}

const TOKEN_HINT =
	'Set an access token in the "Hugging Face Hub" credential (or the HF_TOKEN environment variable for the CLI).';

/** Turns a failed Hub response into an error message that says what to do next. */
export function hubHttpError(
	status: number,
	headers: IncomingHttpHeaders,
	body: string,
	context: HubHttpErrorContext,
): HubError {
	const errorCode = headerValue(headers['x-error-code']);
	const what = context.file === undefined ? `the file list of ${context.repo}@${context.revision}` : `"${context.file}" from ${context.repo}@${context.revision}`;
	const serverSays = summariseBody(body, context.token);
	const suffix = serverSays ? ` Hub said: ${serverSays}` : '';
	let error: HubError;
	if (status === 401) {
		const reason = context.hadToken
			? 'the access token was rejected or does not give access to this repository'
			: 'the repository is private, gated or does not exist, and no access token was given';
		error = new HubError('unauthorized', `Hugging Face Hub refused ${what} (HTTP 401): ${reason}. ${TOKEN_HINT}${suffix}`, { status });
	} else if (status === 403) {
		const reason =
			errorCode === 'GatedRepo'
				? 'the model is gated: accept its conditions on the model page with the account that owns the token'
				: 'the access token does not have permission to read this repository';
		error = new HubError('forbidden', `Hugging Face Hub refused ${what} (HTTP 403): ${reason}.${suffix}`, { status });
	} else if (status === 404) {
		const reason =
			errorCode === 'RepoNotFound'
				? `repository ${context.repo} does not exist (or is private)`
				: errorCode === 'RevisionNotFound'
					? `revision "${context.revision}" does not exist in ${context.repo}`
					: context.file === undefined
						? `repository ${context.repo} or revision "${context.revision}" does not exist`
						: `file "${context.file}" does not exist in ${context.repo}@${context.revision}`;
		error = new HubError('not-found', `Hugging Face Hub could not find ${what} (HTTP 404): ${reason}.${suffix}`, { status });
	} else {
		error = new HubError('http', `Hugging Face Hub answered HTTP ${status} for ${what}.${suffix}`, { status });
	}
	return error;
}

/** 5xx and 429 are worth another try; every other failure will fail the same way again. */
export function isRetryableStatus(status: number): boolean {
	return status === 429 || status >= 500;
}

function headerValue(value: string | string[] | undefined): string | undefined {
	return Array.isArray(value) ? value[0] : value;
}

function summariseBody(body: string, token: string | undefined): string {
	let text = body.trim();
	try {
		const parsed: unknown = JSON.parse(text);
		if (typeof parsed === 'object' && parsed !== null && 'error' in parsed && typeof parsed.error === 'string') {
			text = parsed.error;
		}
	} catch {
		// Not JSON: quote the beginning of the text as is.
	}
	text = text.replace(/\s+/g, ' ');
	if (text.length > 200) text = `${text.slice(0, 200)}…`;
	return scrubSecret(text, token);
}
