import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Hugging Face Hub, close enough to the real one for the download
 * manager: resolve URLs with `X-Repo-Commit`, LFS files redirected (302, absolute URL) to a
 * "CDN" on another host name (`localhost` instead of `127.0.0.1`) with `X-Linked-Etag`
 * (SHA-256) and `X-Linked-Size`, small files redirected relatively (307) to a same-host
 * cache route that answers with a git-SHA-1 `ETag`, the `/api/models/.../revision/...`
 * listing, private repos checked against a token, and Range support on file bodies.
 * Faults (cut connections, corrupt bytes, ignored Range, slow transfers, and the misbehaviours
 * of a broken mirror or proxy: trickles, stalls, resets, redirect loops) are switched on per
 * test. Every request is recorded, with when its connection closed.
 */

export interface MockFileInput {
	path: string;
	content: Buffer;
	/** Stored in LFS (served from the CDN, SHA-256 announced). Default: ONNX graphs and their data. */
	lfs?: boolean;
}

export interface MockRepoInput {
	repo: string;
	files: MockFileInput[];
	/** Makes the repo private: every request needs `Authorization: Bearer <token>`. */
	token?: string;
	commit?: string;
}

export interface MockFile {
	path: string;
	content: Buffer;
	lfs: boolean;
	sha256: string;
}

export interface MockRepo {
	repo: string;
	commit: string;
	token: string | undefined;
	files: Map<string, MockFile>;
}

export type RequestKind = 'resolve' | 'cdn' | 'resolve-cache' | 'api' | 'other';

export interface RecordedRequest {
	kind: RequestKind;
	method: string;
	host: string;
	path: string;
	authorization: string | undefined;
	range: string | undefined;
	/** The repo file a transfer (cdn / resolve-cache) or resolve request is about. */
	repo?: string;
	file?: string;
	status?: number;
	receivedAt: number;
	/** When the response's connection closed: how fast a cancelled client hangs up. */
	closedAt?: number;
	/** Body bytes written (file transfers only). */
	bytesSent: number;
}

/**
 * How a file's transfer misbehaves (see `misbehave`):
 * - `trickle`: `bytes` every `everyMs` (a slow-loris: an idle timeout never fires);
 * - `stall`: headers and the first `afterBytes` bytes, then silence with the connection open;
 * - `reset`: the first `afterBytes` bytes, then a TCP reset;
 * - `no-response`: the request is read but never answered (no status line, no headers).
 */
export type TransferFault =
	| { kind: 'trickle'; bytes: number; everyMs: number }
	| { kind: 'stall'; afterBytes: number }
	| { kind: 'reset'; afterBytes: number }
	| { kind: 'no-response' };

export class MockHub {
	readonly requests: RecordedRequest[] = [];
	/** Answer file bodies with the full content (200) even when a Range is asked for. */
	ignoreRange = false;
	/** Slows every file body down: `chunkBytes` every `delayMs`. */
	throttle: { chunkBytes: number; delayMs: number } | undefined;

	private readonly repos = new Map<string, MockRepo>();
	private readonly cuts = new Map<string, number>();
	private readonly failures = new Map<string, { status: number; remaining: number }>();
	private readonly corrupted = new Set<string>();
	private readonly faults = new Map<string, { fault: TransferFault; remaining: number }>();
	private readonly loops = new Set<string>();
	private readonly server: Server;
	private port = 0;

	private constructor() {
		this.server = createServer((req, res) => {
			this.handle(req, res).catch((error: unknown) => {
				res.destroy(error instanceof Error ? error : new Error(String(error)));
			});
		});
	}

	static async start(): Promise<MockHub> {
		const hub = new MockHub();
		await new Promise<void>((resolve) => hub.server.listen(0, '127.0.0.1', resolve));
		hub.port = (hub.server.address() as AddressInfo).port;
		return hub;
	}

	async stop(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	/** What the download manager is pointed at. */
	get endpoint(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	/** The CDN's origin: same server, another host name, so it counts as another host. */
	get cdnOrigin(): string {
		return `http://localhost:${this.port}`;
	}

	addRepo(input: MockRepoInput): MockRepo {
		const repo: MockRepo = {
			repo: input.repo,
			commit: input.commit ?? randomBytes(20).toString('hex'),
			token: input.token,
			files: new Map(
				input.files.map((file) => [
					file.path,
					{ path: file.path, content: file.content, lfs: file.lfs ?? /\.onnx(?:\.data|_data)?$/.test(file.path), sha256: sha256(file.content) },
				]),
			),
		};
		this.repos.set(input.repo, repo);
		return repo;
	}

	/** The next transfer of this file sends `afterBytes` bytes of the body, then drops the connection. */
	cutNextTransfer(repo: string, path: string, afterBytes: number): void {
		this.cuts.set(`${repo}/${path}`, afterBytes);
	}

	/** The next `times` resolve requests for this file answer `status` (e.g. 503) instead. */
	failNextResolves(repo: string, path: string, status: number, times = 1): void {
		this.failures.set(`${repo}/${path}`, { status, remaining: times });
	}

	/** Serves this file with one byte flipped while announcing the original SHA-256 and size. */
	corrupt(repo: string, path: string, corrupted = true): void {
		if (corrupted) this.corrupted.add(`${repo}/${path}`);
		else this.corrupted.delete(`${repo}/${path}`);
	}

	/**
	 * The next `times` transfers of this file (every one by default) misbehave as `fault` says.
	 * Applies to the bytes (CDN or same-host cache route), after the resolve redirect.
	 */
	misbehave(repo: string, path: string, fault: TransferFault, times = Number.POSITIVE_INFINITY): void {
		this.faults.set(`${repo}/${path}`, { fault, remaining: times });
	}

	/** The repo's file list (`/api/models/...`) misbehaves: only `trickle` and `no-response` apply there. */
	misbehaveListing(repo: string, fault: TransferFault, times = Number.POSITIVE_INFINITY): void {
		this.faults.set(`${repo} listing`, { fault, remaining: times });
	}

	/** Resolving this file redirects to the same URL again, for ever. */
	redirectLoop(repo: string, path: string): void {
		this.loops.add(`${repo}/${path}`);
	}

	/** Requests that carried a file's bytes (as opposed to redirects and listings). */
	transfers(repo: string, path: string): RecordedRequest[] {
		return this.requests.filter((r) => (r.kind === 'cdn' || r.kind === 'resolve-cache') && r.repo === repo && r.file === path && r.method === 'GET');
	}

	clearRequests(): void {
		this.requests.length = 0;
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://mock');
		const record: RecordedRequest = {
			kind: 'other',
			method: req.method ?? 'GET',
			host: req.headers.host ?? '',
			path: url.pathname,
			authorization: req.headers.authorization,
			range: req.headers.range,
			receivedAt: Date.now(),
			bytesSent: 0,
		};
		this.requests.push(record);
		res.on('close', () => {
			record.status = res.headersSent ? res.statusCode : undefined;
			record.closedAt = Date.now();
		});
		const segments = url.pathname.split('/').slice(1).map(decodeURIComponent);

		// /api/models/<owner>/<name>/revision/<revision>
		if (segments[0] === 'api' && segments[1] === 'models' && segments[4] === 'revision' && segments.length === 6) {
			record.kind = 'api';
			const repo = this.authorise(`${segments[2]}/${segments[3]}`, req, res);
			if (repo === undefined || !this.checkRevision(repo, segments[5], res)) return;
			const listing = { id: repo.repo, sha: repo.commit, siblings: [...repo.files.keys()].map((rfilename) => ({ rfilename })) };
			const fault = this.takeFault(`${repo.repo} listing`);
			if (fault?.kind === 'no-response') {
				await closed(res);
			} else if (fault?.kind === 'trickle') {
				const text = Buffer.from(JSON.stringify(listing));
				res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(text.length), 'x-repo-commit': repo.commit });
				for (let offset = 0; offset < text.length && !res.destroyed; offset += fault.bytes) {
					await new Promise((resolve) => setTimeout(resolve, fault.everyMs));
					if (!res.destroyed) res.write(text.subarray(offset, offset + fault.bytes));
				}
				res.end();
			} else {
				json(res, 200, listing, { 'x-repo-commit': repo.commit });
			}
			return;
		}
		// /api/resolve-cache/models/<owner>/<name>/<commit>/<path…>: where small files are served from.
		if (segments[0] === 'api' && segments[1] === 'resolve-cache' && segments[2] === 'models') {
			record.kind = 'resolve-cache';
			const repo = this.authorise(`${segments[3]}/${segments[4]}`, req, res);
			if (repo === undefined || !this.checkRevision(repo, segments[5], res)) return;
			const file = this.findFile(repo, segments.slice(6).join('/'), res, record);
			if (file === undefined) return;
			await this.sendBody(req, res, record, repo, file, { etag: `"${gitBlobSha1(file.content)}"`, 'x-repo-commit': repo.commit });
			return;
		}
		// /cdn/<sha256>?<signature>: the pre-signed storage URL; needs no Authorization.
		if (segments[0] === 'cdn' && segments.length === 2) {
			record.kind = 'cdn';
			for (const repo of this.repos.values()) {
				for (const file of repo.files.values()) {
					if (file.sha256 === segments[1]) {
						record.repo = repo.repo;
						record.file = file.path;
						await this.sendBody(req, res, record, repo, file, { etag: `"${createHash('md5').update(file.content).digest('hex')}"` });
						return;
					}
				}
			}
			json(res, 404, { error: 'NoSuchKey' });
			return;
		}
		// /<owner>/<name>/resolve/<revision>/<path…>
		if (segments[2] === 'resolve' && segments.length >= 5) {
			record.kind = 'resolve';
			const repo = this.authorise(`${segments[0]}/${segments[1]}`, req, res);
			if (repo === undefined || !this.checkRevision(repo, segments[3], res)) return;
			const file = this.findFile(repo, segments.slice(4).join('/'), res, record);
			if (file === undefined) return;
			if (this.loops.has(`${repo.repo}/${file.path}`)) {
				res.writeHead(302, { location: url.pathname, 'x-repo-commit': repo.commit, 'content-length': '0' });
				res.end();
				return;
			}
			const failure = this.failures.get(`${repo.repo}/${file.path}`);
			if (failure !== undefined && failure.remaining > 0) {
				failure.remaining--;
				json(res, failure.status, { error: 'Service temporarily unavailable' });
				return;
			}
			if (file.lfs) {
				res.writeHead(302, {
					location: `${this.cdnOrigin}/cdn/${file.sha256}?X-Amz-Signature=${randomBytes(8).toString('hex')}`,
					'x-repo-commit': repo.commit,
					'x-linked-etag': `"${file.sha256}"`,
					'x-linked-size': String(file.content.length),
					'content-length': '0',
				});
			} else {
				res.writeHead(307, {
					location: `/api/resolve-cache/models/${repo.repo}/${repo.commit}/${file.path}`,
					'x-repo-commit': repo.commit,
					'content-length': '0',
				});
			}
			res.end();
			return;
		}
		json(res, 404, { error: 'Not found' });
	}

	private authorise(repoId: string, req: IncomingMessage, res: ServerResponse): MockRepo | undefined {
		const repo = this.repos.get(repoId);
		if (repo === undefined) {
			json(res, 404, { error: 'Repository not found' }, { 'x-error-code': 'RepoNotFound' });
			return undefined;
		}
		if (repo.token === undefined) return repo;
		const given = req.headers.authorization;
		if (given === undefined) {
			// Like the Hub: without a token a private repo is indistinguishable from a missing one.
			json(res, 401, { error: 'Repository Not Found for url. Please make sure you are authenticated.' }, { 'x-error-code': 'RepoNotFound' });
			return undefined;
		}
		if (given !== `Bearer ${repo.token}`) {
			// Echoes the token back on purpose: the client must scrub it from its error message.
			json(res, 401, { error: `Invalid credentials in Authorization header: ${given}` });
			return undefined;
		}
		return repo;
	}

	private checkRevision(repo: MockRepo, revision: string | undefined, res: ServerResponse): boolean {
		if (revision === 'main' || revision === repo.commit) return true;
		json(res, 404, { error: `Invalid rev id: ${revision}` }, { 'x-error-code': 'RevisionNotFound' });
		return false;
	}

	private findFile(repo: MockRepo, path: string, res: ServerResponse, record: RecordedRequest): MockFile | undefined {
		record.repo = repo.repo;
		record.file = path;
		const file = repo.files.get(path);
		if (file === undefined) json(res, 404, { error: 'Entry not found' }, { 'x-error-code': 'EntryNotFound', 'x-repo-commit': repo.commit });
		return file;
	}

	private async sendBody(req: IncomingMessage, res: ServerResponse, record: RecordedRequest, repo: MockRepo, file: MockFile, headers: Record<string, string>): Promise<void> {
		const key = `${repo.repo}/${file.path}`;
		const fault = this.takeFault(key);
		if (fault?.kind === 'no-response') {
			await closed(res);
			return;
		}
		let content = file.content;
		if (this.corrupted.has(key)) {
			content = Buffer.from(content);
			content[Math.floor(content.length / 2)] ^= 0xff;
		}
		let start = 0;
		const range = req.headers.range?.match(/^bytes=(\d+)-$/);
		if (range && !this.ignoreRange) {
			start = Number(range[1]);
			if (start >= content.length) {
				res.writeHead(416, { 'content-range': `bytes */${content.length}`, ...headers });
				res.end();
				return;
			}
			res.writeHead(206, {
				...headers,
				'accept-ranges': 'bytes',
				'content-length': String(content.length - start),
				'content-range': `bytes ${start}-${content.length - 1}/${content.length}`,
			});
		} else {
			res.writeHead(200, { ...headers, 'accept-ranges': 'bytes', 'content-length': String(content.length) });
		}
		if (req.method === 'HEAD') {
			res.end();
			return;
		}
		let body = content.subarray(start);
		const cut = this.cuts.get(key);
		if (cut !== undefined) {
			this.cuts.delete(key);
			body = body.subarray(0, cut);
		}
		const write = async (bytes: Buffer): Promise<void> => {
			record.bytesSent += bytes.length;
			await new Promise<void>((resolve) => res.write(bytes, () => resolve()));
		};
		if (fault?.kind === 'stall' || fault?.kind === 'reset') {
			if (fault.afterBytes > 0) await write(body.subarray(0, fault.afterBytes));
			if (fault.kind === 'reset') {
				// Let the bytes reach the client first: a reset discards what is still in flight.
				await new Promise((resolve) => setTimeout(resolve, 100));
				res.socket?.resetAndDestroy();
				return;
			}
			res.flushHeaders();
			await closed(res);
			return;
		}
		const chunkBytes = fault?.kind === 'trickle' ? fault.bytes : (this.throttle?.chunkBytes ?? 64 * 1024);
		const delayMs = fault?.kind === 'trickle' ? fault.everyMs : this.throttle?.delayMs;
		for (let offset = 0; offset < body.length; offset += chunkBytes) {
			if (delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, delayMs));
			if (res.destroyed) return;
			await write(body.subarray(offset, offset + chunkBytes));
		}
		if (cut !== undefined) {
			// Give the client time to store what it got, then close cleanly (FIN, not a reset
			// that could discard bytes in flight), so the resume point is predictable.
			await new Promise((resolve) => setTimeout(resolve, 100));
			res.socket?.end();
			return;
		}
		res.end();
	}

	private takeFault(key: string): TransferFault | undefined {
		const entry = this.faults.get(key);
		if (entry === undefined || entry.remaining <= 0) return undefined;
		entry.remaining--;
		return entry.fault;
	}
}

function closed(res: ServerResponse): Promise<void> {
	return new Promise((resolve) => {
		if (res.destroyed || res.socket === null || res.socket.destroyed) resolve();
		else res.once('close', () => resolve());
	});
}

export function sha256(content: Buffer): string {
	return createHash('sha256').update(content).digest('hex');
}

/** What git (and the Hub's ETag for non-LFS files) calls the file: SHA-1 over "blob <size>\0<content>". */
function gitBlobSha1(content: Buffer): string {
	return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
	const text = JSON.stringify(body);
	res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
	res.end(text);
}
