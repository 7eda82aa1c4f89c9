import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

import { acquireDownloadLock, withDownloadLock } from '../../engine/hub/downloadLock';

describe('download lock', () => {
	let dir: string;
	let lockPath: string;
	beforeEach(async () => {
		dir = await mkdtemp(join(tmpdir(), 'zsic-lock-'));
		lockPath = join(dir, 'model.lock');
	});
	afterEach(async () => {
		await rm(dir, { recursive: true, force: true });
	});

	it('records who holds it: pid and host', async () => {
		const lock = await acquireDownloadLock(lockPath);

		expect(JSON.parse(await readFile(lockPath, 'utf8'))).toMatchObject({ pid: process.pid, hostname: hostname() });
		await lock.release();
	});

	it('removes the lock file on release', async () => {
		await withDownloadLock(lockPath, {}, async () => undefined);

		await expect(stat(lockPath)).rejects.toMatchObject({ code: 'ENOENT' });
	});

	it('makes a second holder wait until the first releases', async () => {
		const order: string[] = [];
		const first = await acquireDownloadLock(lockPath, { pollMs: 10 });
		const second = withDownloadLock(lockPath, { pollMs: 10 }, async () => {
			order.push('second');
		});
		await new Promise((resolve) => setTimeout(resolve, 100));
		order.push('first releases');
		await first.release();
		await second;

		expect(order).toEqual(['first releases', 'second']);
	});

	it('takes over a lock whose holder process has died', async () => {
		const child = spawn(process.execPath, ['-e', '']);
		const deadPid = await new Promise<number>((resolve) => child.on('exit', () => resolve(child.pid ?? 0)));
		await writeFile(lockPath, JSON.stringify({ pid: deadPid, hostname: hostname(), token: 'dead', createdAt: new Date().toISOString() }));

		const lock = await acquireDownloadLock(lockPath, { pollMs: 10 });

		expect(JSON.parse(await readFile(lockPath, 'utf8')).pid).toBe(process.pid);
		await lock.release();
	});

	it('takes over a lock left by an earlier process that had the same pid (a restarted container)', async () => {
		await writeFile(lockPath, JSON.stringify({ pid: process.pid, hostname: hostname(), token: 'previous-life', createdAt: new Date().toISOString() }));

		const lock = await acquireDownloadLock(lockPath, { pollMs: 10 });

		expect(JSON.parse(await readFile(lockPath, 'utf8')).token).not.toBe('previous-life');
		await lock.release();
	});

	it('takes over a lock from another host that stopped refreshing it', async () => {
		await writeFile(lockPath, JSON.stringify({ pid: 1, hostname: 'another-host', token: 'old', createdAt: '2020-01-01T00:00:00Z' }));
		const longAgo = new Date(Date.now() - 10 * 60_000);
		await utimes(lockPath, longAgo, longAgo);

		const lock = await acquireDownloadLock(lockPath, { pollMs: 10, staleMs: 60_000 });

		expect(JSON.parse(await readFile(lockPath, 'utf8')).hostname).toBe(hostname());
		await lock.release();
	});

	it('respects a fresh lock from another host', async () => {
		await writeFile(lockPath, JSON.stringify({ pid: 1, hostname: 'another-host', token: 'fresh', createdAt: new Date().toISOString() }));
		const controller = new AbortController();
		setTimeout(() => controller.abort(), 200);

		await expect(acquireDownloadLock(lockPath, { pollMs: 10, signal: controller.signal })).rejects.toMatchObject({ code: 'aborted' });
		expect(JSON.parse(await readFile(lockPath, 'utf8')).token).toBe('fresh');
	});

	it('tells the caller once that it is waiting', async () => {
		const first = await acquireDownloadLock(lockPath);
		const onWait = jest.fn();
		const second = acquireDownloadLock(lockPath, { pollMs: 10, onWait });
		await new Promise((resolve) => setTimeout(resolve, 100));
		await first.release();
		await (await second).release();

		expect(onWait).toHaveBeenCalledTimes(1);
		expect(onWait).toHaveBeenCalledWith(expect.objectContaining({ pid: process.pid }));
	});

	it('keeps refreshing the lock while held, so other hosts do not think it abandoned', async () => {
		const lock = await acquireDownloadLock(lockPath, { heartbeatMs: 20 });
		const longAgo = new Date(Date.now() - 10 * 60_000);
		await utimes(lockPath, longAgo, longAgo);
		await new Promise((resolve) => setTimeout(resolve, 100));

		expect(Date.now() - (await stat(lockPath)).mtimeMs).toBeLessThan(5_000);
		await lock.release();
	});
});
