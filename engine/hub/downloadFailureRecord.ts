import { readFile, rm, writeFile } from 'node:fs/promises';

import { HubError, isRetryableStatus, type HubErrorCode } from './hubErrors';

/**
 * How a download that gave up tells the executions that waited on its lock. Without it each
 * waiter, taking the lock in turn, would sit through the whole give-up time again against the
 * same broken Hub: ten queued executions, ten times the wait. Kept next to the lock file so that
 * processes sharing the cache (n8n workers) see it too.
 */
interface FailureRecord {
	at: number;
	code: HubErrorCode;
	status?: number;
	retryable: boolean;
	message: string;
}

function recordPath(lockPath: string): string {
	return `${lockPath}.failed.json`;
}

/**
 * Failures of the Hub itself, which a waiter would meet too. A refused token, a missing file or
 * a cancel are not: another execution may have another credential, and a cancel is that
 * execution's own (its waiters take the download over).
 */
export function isSharedFailure(error: unknown): error is HubError {
	if (!(error instanceof HubError)) return false;
	if (error.code === 'network' || error.code === 'integrity' || error.code === 'too-many-redirects') return true;
	return error.code === 'http' && error.status !== undefined && isRetryableStatus(error.status);
}

export async function recordDownloadFailure(lockPath: string, error: HubError): Promise<void> {
	const record: FailureRecord = { at: Date.now(), code: error.code, status: error.status, retryable: error.retryable, message: error.message };
	await writeFile(recordPath(lockPath), JSON.stringify(record)).catch(() => undefined);
}

export async function clearDownloadFailure(lockPath: string): Promise<void> {
	await rm(recordPath(lockPath), { force: true }).catch(() => undefined);
}

/** The failure recorded at or after `since` (when this caller began to wait), if any. */
export async function downloadFailureSince(lockPath: string, since: number): Promise<HubError | undefined> {
	let parsed: unknown;
	try {
		parsed = JSON.parse(await readFile(recordPath(lockPath), 'utf8'));
	} catch {
		return undefined;
	}
	if (typeof parsed !== 'object' || parsed === null) return undefined;
	const record = parsed as Partial<FailureRecord>;
	if (typeof record.at !== 'number' || record.at < since || typeof record.message !== 'string' || typeof record.code !== 'string') return undefined;
	return new HubError(record.code, record.message, { status: record.status, retryable: record.retryable !== false });
}
