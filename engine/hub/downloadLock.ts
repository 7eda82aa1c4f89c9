import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { abortError } from './hubErrors';

export interface DownloadLockOptions {
	signal?: AbortSignal;
	/**
	 * A lock whose file has not been touched for this long is considered abandoned. The
	 * holder touches it every `heartbeatMs`, so this only matters for a holder on another
	 * host (shared cache volume) that died; a dead holder on this host is detected by pid.
	 */
	staleMs?: number;
	heartbeatMs?: number;
	pollMs?: number;
	/** Called once, when the lock is found held by someone else. */
	onWait?: (holder: LockHolder | undefined) => void;
}

export interface LockHolder {
	pid: number;
	hostname: string;
	token: string;
	createdAt: string;
}

export interface HeldDownloadLock {
	release(): Promise<void>;
}

const DEFAULT_STALE_MS = 60_000;
const DEFAULT_HEARTBEAT_MS = 5_000;
const DEFAULT_POLL_MS = 250;

/**
 * Tokens of the locks this process holds, shared through a global symbol so that two
 * copies of this module in one process agree. A lock naming our own pid with a token we
 * do not hold was left by an earlier process that had the same pid: containers restart
 * n8n with the same pid and host name, which the pid check alone would take for alive.
 */
const heldTokens = processWideSet(Symbol.for('n8n-nodes-zero-shot-image-classification.heldDownloadLocks'));

function processWideSet(key: symbol): Set<string> {
	const registry = globalThis as unknown as Record<symbol, Set<string> | undefined>;
	registry[key] ??= new Set<string>();
	return registry[key];
}

/**
 * A cross-process mutex on the file system: `open(path, 'wx')` fails for everyone but one
 * creator, on every platform and on network file systems that honour O_EXCL. Lets two
 * executions, or two n8n worker processes sharing a cache volume, download a model once.
 */
export async function acquireDownloadLock(lockPath: string, options: DownloadLockOptions = {}): Promise<HeldDownloadLock> {
	await mkdir(dirname(lockPath), { recursive: true });
	const me: LockHolder = { pid: process.pid, hostname: hostname(), token: randomBytes(12).toString('hex'), createdAt: new Date().toISOString() };
	let announcedWait = false;
	for (;;) {
		if (options.signal?.aborted) throw abortError();
		if (await tryCreate(lockPath, me)) return startHolding(lockPath, me, options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
		const holder = await readHolder(lockPath);
		if (await isStale(lockPath, holder, options.staleMs ?? DEFAULT_STALE_MS)) {
			await breakStaleLock(lockPath, options.staleMs ?? DEFAULT_STALE_MS);
			continue;
		}
		if (!announcedWait) {
			announcedWait = true;
			options.onWait?.(holder);
		}
		try {
			await sleep(options.pollMs ?? DEFAULT_POLL_MS, undefined, { signal: options.signal });
		} catch {
			throw abortError();
		}
	}
}

export async function withDownloadLock<T>(lockPath: string, options: DownloadLockOptions, work: () => Promise<T>): Promise<T> {
	const lock = await acquireDownloadLock(lockPath, options);
	try {
		return await work();
	} finally {
		await lock.release();
	}
}

async function tryCreate(lockPath: string, me: LockHolder): Promise<boolean> {
	let handle;
	try {
		handle = await open(lockPath, 'wx');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
		throw error;
	}
	try {
		await handle.writeFile(JSON.stringify(me));
	} finally {
		await handle.close();
	}
	return true;
}

function startHolding(lockPath: string, me: LockHolder, heartbeatMs: number): HeldDownloadLock {
	heldTokens.add(me.token);
	const heartbeat = setInterval(() => {
		const now = new Date();
		utimes(lockPath, now, now).catch(() => undefined);
	}, heartbeatMs);
	heartbeat.unref();
	let released = false;
	return {
		async release() {
			if (released) return;
			released = true;
			clearInterval(heartbeat);
			heldTokens.delete(me.token);
			// Only remove the file if it is still ours: if it was (wrongly) broken as stale,
			// the file now belongs to the process that took over.
			const holder = await readHolder(lockPath);
			if (holder?.token === me.token) await unlink(lockPath).catch(() => undefined);
		},
	};
}

async function readHolder(lockPath: string): Promise<LockHolder | undefined> {
	try {
		const parsed: unknown = JSON.parse(await readFile(lockPath, 'utf8'));
		if (
			typeof parsed === 'object' &&
			parsed !== null &&
			'pid' in parsed &&
			typeof parsed.pid === 'number' &&
			'hostname' in parsed &&
			typeof parsed.hostname === 'string' &&
			'token' in parsed &&
			typeof parsed.token === 'string'
		) {
			return { pid: parsed.pid, hostname: parsed.hostname, token: parsed.token, createdAt: 'createdAt' in parsed ? String(parsed.createdAt) : '' };
		}
	} catch {
		// Missing, or caught between its creation and its first write: judged by its age below.
	}
	return undefined;
}

async function isStale(lockPath: string, holder: LockHolder | undefined, staleMs: number): Promise<boolean> {
	let modifiedAt: number;
	try {
		modifiedAt = (await stat(lockPath)).mtimeMs;
	} catch {
		return false; // Released meanwhile: the next attempt to create it will tell.
	}
	if (holder !== undefined && holder.hostname === hostname()) {
		if (holder.pid === process.pid) return !heldTokens.has(holder.token);
		if (!isProcessAlive(holder.pid)) return true;
	}
	return Date.now() - modifiedAt > staleMs;
}

function isProcessAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		// EPERM: it exists but belongs to another user.
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/**
 * Moves the stale file aside before deleting it, then checks that what it moved is still
 * stale: between our check and the rename another waiter may already have broken it and
 * created a fresh lock, which must then be put back (`link` fails rather than overwrite,
 * so a third process that got in meanwhile is not clobbered either).
 */
async function breakStaleLock(lockPath: string, staleMs: number): Promise<void> {
	const aside = `${lockPath}.stale-${randomBytes(6).toString('hex')}`;
	try {
		await rename(lockPath, aside);
	} catch {
		return; // Someone else broke or released it first.
	}
	if (!(await isStale(aside, await readHolder(aside), staleMs))) {
		await link(aside, lockPath).catch(() => undefined);
	}
	await unlink(aside).catch(() => undefined);
}
