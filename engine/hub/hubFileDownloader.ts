import { createHash } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { formatBytes } from './byteFormat';
import { DOWNLOAD_LIMIT_ENV, resolveDownloadLimits, type DownloadLimits } from './downloadLimits';
import { PROGRESS_RATE_WINDOW_MS, ProgressReporter, type DownloadProgress } from './downloadProgress';
import { formatDuration } from './durationFormat';
import { sha256FromEtag, updateHashFromFile } from './fileIntegrity';
import { hubFileUrl } from './hubEndpoint';
import { abortError, HubError, hubHttpError, isRetryableStatus, scrubSecret } from './hubErrors';
import { describeUrl, openHubRequest, readBodyText, type HubResponse } from './hubRequest';
import { ThroughputMeter } from './throughputMeter';
import { SlowTransferError, TransferWatchdog } from './transferWatchdog';

export interface HubFileSpec {
	repo: string;
	/** Branch, tag or commit the URL names; a commit keeps every file of a model consistent. */
	revision: string;
	path: string;
	/** Pinned by a manifest: then the Hub's own headers are not trusted over it. */
	size?: number;
	sha256?: string;
	/** Listed but may legitimately be missing (e.g. external ONNX weights); a 404 is then no error. */
	optional?: boolean;
}

export interface HubFileDownloadOptions {
	endpoint: string;
	token?: string;
	/** Final path; the data goes to `<destination>.incomplete` until verified. */
	destination: string;
	onProgress?: (progress: DownloadProgress) => void;
	log?: (message: string) => void;
	/** Periodic "42% at 12 MB/s" lines; separate from `log` so a progress bar can replace them. */
	progressLog?: (message: string) => void;
	signal?: AbortSignal;
	maxAttempts?: number;
	/** First back-off delay; doubled after every failed attempt. */
	retryDelayMs?: number;
	/** Throughput floor, its window and the give-up time; else from the environment (downloadLimits.ts). */
	limits?: DownloadLimits;
}

export interface DownloadedHubFile {
	path: string;
	size: number;
	sha256: string;
	/** The commit the Hub resolved the revision to (`X-Repo-Commit`), when it said. */
	commit: string | undefined;
	/**
	 * What the bytes were checked against: a SHA-256 from the manifest or the Hub, else the
	 * announced size (small git-stored files whose ETag is a git SHA-1), else only a
	 * well-formed end of transfer.
	 */
	verifiedBy: 'sha256' | 'size' | 'transfer';
}

type AttemptOutcome =
	| { kind: 'absent' }
	| { kind: 'restart' }
	| {
			kind: 'complete';
			received: number;
			resumedFrom: number;
			sha256: string;
			expectedSize: number | undefined;
			expectedSha256: string | undefined;
			/** What the server said this transfer adds up to; undefined when it did not say. */
			serverTotal: number | undefined;
			shaSource: 'manifest' | 'hub' | undefined;
			commit: string | undefined;
	  };

const DEFAULT_MAX_ATTEMPTS = 5;
const DEFAULT_RETRY_DELAY_MS = 500;

/**
 * Downloads one repo file into the cache, verified, resuming what an earlier attempt left.
 * The caller must hold the model's download lock: the `.incomplete` file is shared state.
 * Returns undefined only for an optional file the Hub does not have.
 */
export async function downloadHubFile(spec: HubFileSpec, options: HubFileDownloadOptions): Promise<DownloadedHubFile | undefined> {
	const partial = `${options.destination}.incomplete`;
	await mkdir(dirname(options.destination), { recursive: true });
	const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
	const limits = options.limits ?? resolveDownloadLimits();
	const startedAt = Date.now();
	// The give-up clock starts at the first transfer abandoned for being too slow.
	let firstAbandonedAt: number | undefined;
	let restartedAfterMismatch = false;
	for (let attempt = 1; ; attempt++) {
		if (options.signal?.aborted) throw await cancelled(spec, options, partial);
		const deadline = firstAbandonedAt === undefined ? undefined : firstAbandonedAt + limits.giveUpMs;
		let outcome: AttemptOutcome;
		try {
			outcome = await attemptDownload(spec, options, partial, limits, deadline);
		} catch (error) {
			// Checked first: a cancel may surface as another error (e.g. while hashing the partial file).
			if (options.signal?.aborted || (error instanceof HubError && error.code === 'aborted')) throw await cancelled(spec, options, partial);
			if (!isTransient(error)) throw error;
			if (error instanceof SlowTransferError) firstAbandonedAt ??= Date.now();
			const delay = (options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS) * 2 ** (attempt - 1);
			const outOfTime = firstAbandonedAt !== undefined && Date.now() + delay >= firstAbandonedAt + limits.giveUpMs;
			if (attempt >= maxAttempts || outOfTime) throw await giveUpError(spec, options, partial, error as HubError, attempt, startedAt, limits);
			options.log?.(`${spec.path}: ${(error as Error).message.replace(/\.?$/, '.')} Retrying in ${formatDuration(delay)} (attempt ${attempt + 1} of ${maxAttempts}).`);
			await sleepOrAbort(delay, options.signal).catch(async () => {
				throw await cancelled(spec, options, partial);
			});
			continue;
		}
		if (outcome.kind === 'absent') return undefined;
		if (outcome.kind === 'restart') {
			if (attempt >= maxAttempts) throw new HubError('network', `Could not resume "${spec.path}" from ${spec.repo}: the server kept answering with unexpected ranges.`);
			continue;
		}
		if (outcome.serverTotal === undefined && outcome.expectedSize !== undefined && outcome.received < outcome.expectedSize) {
			// The connection ended cleanly but early, with no Content-Length to catch it: resume.
			if (attempt >= maxAttempts) throw new HubError('network', `"${spec.path}" from ${spec.repo} kept arriving truncated.`);
			continue;
		}
		const mismatch = describeMismatch(spec, outcome);
		if (mismatch !== undefined) {
			await rm(partial, { force: true });
			if (outcome.resumedFrom > 0 && !restartedAfterMismatch) {
				// The bytes kept from an earlier run may belong to another version of the file.
				restartedAfterMismatch = true;
				options.log?.(`${spec.path}: the resumed file did not verify (${mismatch}); downloading it again from the start.`);
				continue;
			}
			throw new HubError('integrity', `"${spec.path}" from ${spec.repo}@${spec.revision} failed verification and was discarded: ${mismatch}.`);
		}
		await syncFile(partial);
		await rename(partial, options.destination);
		return {
			path: spec.path,
			size: outcome.received,
			sha256: outcome.sha256,
			commit: outcome.commit,
			verifiedBy: outcome.expectedSha256 !== undefined ? 'sha256' : outcome.expectedSize !== undefined ? 'size' : 'transfer',
		};
	}
}

async function attemptDownload(
	spec: HubFileSpec,
	options: HubFileDownloadOptions,
	partial: string,
	limits: DownloadLimits,
	deadline: number | undefined,
): Promise<AttemptOutcome> {
	let startAt = (await fileSize(partial)) ?? 0;
	if (spec.size !== undefined && startAt > spec.size) {
		await rm(partial, { force: true });
		startAt = 0;
	}
	// Hashed before the request, so that hashing a large partial file is not taken for a stall.
	const keptHash = createHash('sha256');
	if (startAt > 0) await updateHashFromFile(keptHash, partial, options.signal);

	const meter = new ThroughputMeter({ historyMs: Math.max(limits.windowMs, PROGRESS_RATE_WINDOW_MS) });
	let reporter: ProgressReporter | undefined;
	const watchdog = new TransferWatchdog({
		limits,
		meter,
		what: spec.path,
		signal: options.signal,
		deadline,
		warn: options.log,
		onCheck: (crawling) => reporter?.refresh(crawling),
	});
	let servedBy = new URL(options.endpoint).host;
	let received = startAt;
	try {
		const response = await openHubRequest({
			url: hubFileUrl(options.endpoint, spec.repo, spec.revision, spec.path),
			token: options.token,
			// Compressed bodies would make both the byte count and the Range offsets meaningless.
			headers: startAt > 0 ? { 'accept-encoding': 'identity', range: `bytes=${startAt}-` } : { 'accept-encoding': 'identity' },
			signal: watchdog.signal,
		});
		servedBy = describeUrl(response.finalUrl).split('/')[0];
		const early = await earlyOutcome(spec, options, partial, response, startAt, keptHash);
		if (early !== undefined) return early;

		let offset = 0;
		let announcedTotal: number | undefined = numberHeader(header(response, 'content-length'));
		if (response.status === 206) {
			const range = parseContentRange(header(response, 'content-range'));
			if (range === undefined || range.start !== startAt) {
				response.body.destroy();
				await rm(partial, { force: true });
				return { kind: 'restart' };
			}
			offset = startAt;
			announcedTotal = range.total;
		} else if (startAt > 0) {
			options.log?.(`${spec.path}: the server does not support resuming; downloading it again from the start.`);
		}
		received = offset;

		const expectedSize = spec.size ?? response.hub.linkedSize ?? announcedTotal;
		const hash = offset > 0 ? keptHash : createHash('sha256');
		if (offset > 0) options.log?.(`${spec.path}: resuming after ${formatBytes(offset)}.`);
		reporter = new ProgressReporter({
			file: spec.path,
			totalBytes: expectedSize,
			startBytes: offset,
			meter,
			onProgress: options.onProgress,
			log: options.progressLog,
		});
		// Written chunk by chunk rather than through pipeline(): when the connection drops,
		// pipeline() discards what is still buffered for the file, and every byte kept on disk
		// is a byte the resume does not have to fetch again.
		const file = await open(partial, offset > 0 ? 'a' : 'w');
		try {
			for await (const chunk of response.body as AsyncIterable<Buffer>) {
				await file.write(chunk);
				hash.update(chunk);
				received += chunk.length;
				reporter.update(received);
			}
		} finally {
			await file.close();
		}
		reporter.finish();
		return completeOutcome(spec, response, received, offset, hash.digest('hex'), expectedSize, announcedTotal);
	} catch (error) {
		if (options.signal?.aborted) throw abortError();
		const abandoned = watchdog.abandoned;
		if (abandoned !== undefined) {
			throw new SlowTransferError(abandoned.kind, `The transfer of "${spec.path}" from ${servedBy} was abandoned after ${formatBytes(received)}: ${abandoned.message}`);
		}
		if (error instanceof HubError) throw error;
		// Node reports a body cut short (reset, or closed before Content-Length) as ECONNRESET "aborted".
		const reason =
			(error as NodeJS.ErrnoException).code === 'ECONNRESET'
				? 'the connection was cut'
				: scrubSecret(error instanceof Error ? error.message : String(error), options.token);
		throw new HubError('network', `The transfer of "${spec.path}" from ${servedBy} was interrupted after ${formatBytes(received)} (${reason}).`, { cause: error });
	} finally {
		watchdog.stop();
	}
}

/** The answers that carry no body to store: an absent optional file, a finished partial file (416), an error. */
async function earlyOutcome(
	spec: HubFileSpec,
	options: HubFileDownloadOptions,
	partial: string,
	response: HubResponse,
	startAt: number,
	keptHash: ReturnType<typeof createHash>,
): Promise<AttemptOutcome | undefined> {
	// Absent means this file is missing; a missing repo or revision is an error even here.
	const errorCode = header(response, 'x-error-code');
	if (response.status === 404 && spec.optional && errorCode !== 'RepoNotFound' && errorCode !== 'RevisionNotFound') {
		response.body.resume();
		return { kind: 'absent' };
	}
	if (response.status === 416 && startAt > 0) {
		response.body.resume();
		const total = parseContentRange(header(response, 'content-range'))?.total;
		if (total !== startAt) {
			await rm(partial, { force: true });
			return { kind: 'restart' };
		}
		// A previous run received every byte but stopped before verifying: verify now.
		return completeOutcome(spec, response, startAt, startAt, keptHash.digest('hex'), total, total);
	}
	if (response.status !== 200 && response.status !== 206) {
		const body = await readBodyText(response.body, 64_000).catch(() => '');
		throw hubHttpError(response.status, response.headers, body, {
			repo: spec.repo,
			revision: spec.revision,
			file: spec.path,
			hadToken: options.token !== undefined,
			token: options.token,
		});
	}
	return undefined;
}

/**
 * The one line a user gets when the Hub keeps failing: the file, the endpoint, what happened,
 * and that the bytes received are kept for the next run.
 */
async function giveUpError(
	spec: HubFileSpec,
	options: HubFileDownloadOptions,
	partial: string,
	last: HubError,
	attempts: number,
	startedAt: number,
	limits: DownloadLimits,
): Promise<HubError> {
	const kept = (await fileSize(partial)) ?? 0;
	const keptText = kept > 0 ? ` The ${formatBytes(kept)} received are kept; the next run resumes from there.` : '';
	let hint = '';
	if (last instanceof SlowTransferError) {
		hint =
			last.kind === 'crawling'
				? ` If the connection is merely slow, lower ${DOWNLOAD_LIMIT_ENV.minBytesPerSecond} (now ${formatBytes(limits.minBytesPerSecond)}/s).`
				: ' Check the network, the proxy, or the mirror set in HF_ENDPOINT.';
	}
	const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
	const message = `Gave up downloading "${spec.path}" of ${spec.repo}@${spec.revision} from ${options.endpoint} after ${tries} in ${formatDuration(Date.now() - startedAt)}: ${last.message.replace(/\.$/, '')}.${keptText}${hint}`;
	return new HubError(last.code, message, { status: last.status, cause: last, retryable: last.retryable });
}

async function cancelled(spec: HubFileSpec, options: HubFileDownloadOptions, partial: string): Promise<HubError> {
	const kept = (await fileSize(partial)) ?? 0;
	if (kept > 0) options.log?.(`${spec.path}: download cancelled after ${formatBytes(kept)}; the partial file is kept and the next run resumes from there.`);
	return abortError();
}

function completeOutcome(
	spec: HubFileSpec,
	response: HubResponse,
	received: number,
	resumedFrom: number,
	sha256: string,
	expectedSize: number | undefined,
	serverTotal: number | undefined,
): AttemptOutcome {
	const hubSha256 = sha256FromEtag(response.hub.linkedEtag ?? response.hub.etag);
	return {
		kind: 'complete',
		received,
		resumedFrom,
		sha256,
		expectedSize: spec.size ?? response.hub.linkedSize ?? expectedSize,
		expectedSha256: spec.sha256?.toLowerCase() ?? hubSha256,
		serverTotal,
		shaSource: spec.sha256 !== undefined ? 'manifest' : hubSha256 !== undefined ? 'hub' : undefined,
		commit: response.hub.commit,
	};
}

function describeMismatch(spec: HubFileSpec, outcome: Extract<AttemptOutcome, { kind: 'complete' }>): string | undefined {
	if (outcome.expectedSize !== undefined && outcome.received !== outcome.expectedSize) {
		return `received ${outcome.received} bytes, expected ${outcome.expectedSize}${spec.size !== undefined ? ' (pinned by the preset)' : ''}`;
	}
	if (outcome.expectedSha256 !== undefined && outcome.sha256 !== outcome.expectedSha256) {
		const by = outcome.shaSource === 'manifest' ? 'the preset pins' : 'the Hub announced';
		return `its SHA-256 is ${outcome.sha256} but ${by} ${outcome.expectedSha256}`;
	}
	return undefined;
}

function isTransient(error: unknown): boolean {
	if (!(error instanceof HubError)) return false;
	if (error.code === 'network') return error.retryable;
	return error.code === 'http' && error.status !== undefined && isRetryableStatus(error.status);
}

async function sleepOrAbort(ms: number, signal: AbortSignal | undefined): Promise<void> {
	try {
		await sleep(ms, undefined, { signal });
	} catch {
		throw abortError();
	}
}

/** The rename below is only a commit point if the data is on disk before it. */
async function syncFile(filePath: string): Promise<void> {
	const handle = await open(filePath, 'r+');
	try {
		await handle.sync();
	} finally {
		await handle.close();
	}
}

async function fileSize(filePath: string): Promise<number | undefined> {
	try {
		return (await stat(filePath)).size;
	} catch {
		return undefined;
	}
}

function header(response: HubResponse, name: string): string | undefined {
	const value = response.headers[name];
	return Array.isArray(value) ? value[0] : value;
}

function numberHeader(value: string | undefined): number | undefined {
	if (value === undefined) return undefined;
	const parsed = Number(value);
	return Number.isSafeInteger(parsed) && parsed >= 0 ? parsed : undefined;
}

// "bytes 100-199/200" gives start 100 and total 200; the "bytes */200" of a 416 gives the total only.
function parseContentRange(value: string | undefined): { start: number | undefined; total: number | undefined } | undefined {
	const match = value?.trim().match(/^bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)$/i);
	if (!match) return undefined;
	return {
		start: match[1] === undefined ? undefined : Number(match[1]),
		total: match[3] === '*' ? undefined : Number(match[3]),
	};
}
