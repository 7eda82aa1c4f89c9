import * as http from 'node:http';
import * as https from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

import { abortError, HubError, scrubSecret } from './hubErrors';

export interface HubRequestOptions {
	url: string;
	method?: 'GET' | 'HEAD';
	/** Sent as `Authorization: Bearer` to the first host only (see followRedirects). */
	token?: string;
	headers?: Record<string, string>;
	signal?: AbortSignal;
	maxRedirects?: number;
}

/**
 * What the Hub itself said about the file. Collected only from responses served by the
 * endpoint's own origin: once redirected to a CDN, `ETag` is the CDN's (an MD5 or an
 * opaque id), not the file's SHA-256.
 */
export interface HubFileHeaders {
	commit?: string;
	linkedEtag?: string;
	linkedSize?: number;
	etag?: string;
}

export interface HubResponse {
	status: number;
	headers: IncomingHttpHeaders;
	body: IncomingMessage;
	finalUrl: string;
	hub: HubFileHeaders;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const DEFAULT_MAX_REDIRECTS = 5;
// Retrying these only delays the error: the host does not resolve, nothing listens, or
// there is no route (typically a machine without internet access).
const HOPELESS_NETWORK_ERRORS = new Set(['ENOTFOUND', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Sends a request and follows redirects by hand, because the Authorization header must be
 * dropped as soon as a redirect leaves the endpoint's origin (the Hub sends LFS files to a
 * CDN with a pre-signed URL; forwarding the token there would leak it). This is what
 * huggingface_hub and huggingface.js do too. There is no socket timeout here: a socket idle
 * timeout is reset by every byte, so callers bound the time with a TransferWatchdog's signal.
 */
export async function openHubRequest(options: HubRequestOptions): Promise<HubResponse> {
	const origin = new URL(options.url).origin;
	const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
	const hub: HubFileHeaders = {};
	let url = options.url;
	for (let redirects = 0; ; redirects++) {
		const sameOrigin = new URL(url).origin === origin;
		const headers: Record<string, string> = { 'user-agent': 'n8n-nodes-zero-shot-image-classification', ...options.headers };
		if (sameOrigin && options.token) headers.authorization = `Bearer ${options.token}`;
		const response = await sendOnce(url, options.method ?? 'GET', headers, options);
		if (sameOrigin) collectHubHeaders(hub, response.headers);
		const location = response.headers.location;
		if (!REDIRECT_STATUSES.has(response.statusCode ?? 0) || location === undefined) {
			return { status: response.statusCode ?? 0, headers: response.headers, body: response, finalUrl: url, hub };
		}
		response.resume();
		if (redirects >= maxRedirects) {
			throw new HubError('too-many-redirects', `Gave up after ${maxRedirects} redirects while fetching ${describeUrl(options.url)}.`);
		}
		url = new URL(location, url).toString();
	}
}

/** Reads a (small) body as text, e.g. an error message or the JSON of a listing. */
export async function readBodyText(body: IncomingMessage, limitBytes = 1_000_000, onBytes?: (totalBytes: number) => void): Promise<string> {
	const chunks: Buffer[] = [];
	let length = 0;
	for await (const chunk of body) {
		const buffer = chunk as Buffer;
		length += buffer.length;
		onBytes?.(length);
		if (length > limitBytes) {
			body.destroy();
			break;
		}
		chunks.push(buffer);
	}
	return Buffer.concat(chunks).toString('utf8');
}

/** Host and path only: query strings of pre-signed CDN URLs carry credentials of their own. */
export function describeUrl(url: string): string {
	try {
		const parsed = new URL(url);
		return `${parsed.host}${parsed.pathname}`;
	} catch {
		return '(invalid URL)';
	}
}

function sendOnce(url: string, method: string, headers: Record<string, string>, options: HubRequestOptions): Promise<IncomingMessage> {
	return new Promise((resolve, reject) => {
		const parsed = new URL(url);
		const transport = parsed.protocol === 'https:' ? https : parsed.protocol === 'http:' ? http : undefined;
		if (transport === undefined) {
			reject(new HubError('network', `Refusing to follow a redirect to a ${parsed.protocol} URL.`));
			return;
		}
		if (options.signal?.aborted) {
			reject(abortError());
			return;
		}
		const request = transport.request(parsed, { method, headers, signal: options.signal });
		request.once('response', resolve);
		request.once('error', (error: NodeJS.ErrnoException) => {
			if (options.signal?.aborted || error.name === 'AbortError') {
				reject(abortError());
				return;
			}
			const reason = scrubSecret(error.message, options.token);
			const hopeless = error.code !== undefined && HOPELESS_NETWORK_ERRORS.has(error.code);
			reject(new HubError('network', `Could not reach ${describeUrl(url)}: ${reason}`, { cause: error, retryable: !hopeless }));
		});
		request.end();
	});
}

function collectHubHeaders(hub: HubFileHeaders, headers: IncomingHttpHeaders): void {
	// The first same-origin response that names a value wins: later hops on the endpoint
	// (e.g. a relative redirect to a cache route) describe the same file.
	hub.commit ??= single(headers['x-repo-commit']);
	hub.linkedEtag ??= single(headers['x-linked-etag']);
	hub.etag ??= single(headers.etag);
	if (hub.linkedSize === undefined) {
		const size = Number(single(headers['x-linked-size']));
		if (Number.isSafeInteger(size) && size >= 0 && single(headers['x-linked-size']) !== undefined) hub.linkedSize = size;
	}
}

function single(value: string | string[] | undefined): string | undefined {
	return Array.isArray(value) ? value[0] : value;
}
