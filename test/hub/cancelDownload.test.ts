import { stat } from 'node:fs/promises';
import { join } from 'node:path';

import { acquireDownloadLock } from '../../engine/hub/downloadLock';
import type { DownloadLimits } from '../../engine/hub/downloadLimits';
import { modelLockPath } from '../../engine/hub/modelCache';
import { getPreset } from '../../engine/hub/presets';
import { resolveModelFolder, type ResolveModelOptions } from '../../engine/hub/resolveModel';
import { MockHub } from './mockHub';
import { presetRepoFiles } from './mockRepos';
import { useIsolatedHubEnv } from './hubTestEnv';
import { waitUntil } from './waitUntil';

/**
 * Stopping an n8n execution aborts its cancel signal (the editor's stop button, an execution
 * timeout, a worker shutting down): the download must stop within 2 s, release the download
 * lock, keep the partial file, and leave the executions waiting on the lock with either the
 * download (taken over) or a clear error, never a hang.
 */
const PROMPT_MS = 2000;
const PRESET = getPreset('clip-vit-base-patch32');
const REPO = PRESET.source.repo;
const VISION = 'onnx/vision_model.onnx';
const TEXT = 'onnx/text_model.onnx';

const figures: string[] = [];
afterAll(() => process.stderr.write(`\n[cancelling a download]\n  ${figures.join('\n  ')}\n`));

async function exists(path: string): Promise<boolean> {
	return stat(path).then(
		() => true,
		() => false,
	);
}

/** Aborts `controller` and says how long until `attempt` settled with the cancel error. */
async function cancelAndTime(label: string, controller: AbortController, attempt: Promise<unknown>): Promise<number> {
	const abortedAt = Date.now();
	controller.abort();
	await expect(attempt).rejects.toMatchObject({ code: 'aborted', message: 'The model download was cancelled.' });
	const ms = Date.now() - abortedAt;
	figures.push(`${label}: ${ms} ms`);
	return ms;
}

describe('cancelling a download', () => {
	const env = useIsolatedHubEnv();
	let hub: MockHub;
	let log: string[];
	const lockPath = () => modelLockPath(env.cacheDir(), REPO, 'main');
	const partial = (file: string) => join(env.cacheDir(), 'Xenova--clip-vit-base-patch32', 'main', `${file}.incomplete`);
	const options = (extra: Partial<ResolveModelOptions> = {}): ResolveModelOptions => ({ cacheDir: env.cacheDir(), endpoint: hub.endpoint, log: (m) => log.push(m), ...extra });
	beforeEach(async () => {
		hub = await MockHub.start();
		log = [];
	});
	afterEach(async () => {
		await hub.stop();
	});

	it('stops a running transfer within 2 s, hangs up on the server, releases the lock and keeps the partial file', async () => {
		hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET, 2 * 1024 * 1024) });
		hub.throttle = { chunkBytes: 16 * 1024, delayMs: 20 };
		const controller = new AbortController();
		const attempt = resolveModelFolder('clip-vit-base-patch32', options({ signal: controller.signal }));
		await waitUntil(() => hub.transfers(REPO, TEXT).some((t) => t.bytesSent > 256 * 1024), 20_000);

		const abortedAt = Date.now();
		const ms = await cancelAndTime('during a transfer', controller, attempt);

		expect(ms).toBeLessThan(PROMPT_MS);
		await waitUntil(() => hub.transfers(REPO, TEXT).every((t) => t.closedAt !== undefined), PROMPT_MS);
		const transfer = hub.transfers(REPO, TEXT)[0];
		expect((transfer.closedAt ?? Infinity) - abortedAt).toBeLessThan(PROMPT_MS);
		expect(transfer.bytesSent).toBeLessThan(2 * 1024 * 1024);
		expect(await exists(lockPath())).toBe(false);
		expect((await stat(partial(TEXT))).size).toBeGreaterThan(0);
		expect(log).toContainEqual(expect.stringMatching(/^onnx\/text_model\.onnx: download cancelled after .* kB; the partial file is kept and the next run resumes from there\.$/));
	});

	it('stops within 2 s while the server sends nothing at all (a stalled body)', async () => {
		hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });
		hub.misbehave(REPO, VISION, { kind: 'stall', afterBytes: 100_000 });
		const controller = new AbortController();
		const attempt = resolveModelFolder('clip-vit-base-patch32', options({ signal: controller.signal }));
		await waitUntil(() => hub.transfers(REPO, VISION).some((t) => t.bytesSent >= 100_000), 20_000);
		await new Promise((resolve) => setTimeout(resolve, 300));

		const ms = await cancelAndTime('during a stall', controller, attempt);

		expect(ms).toBeLessThan(PROMPT_MS);
		expect(await exists(lockPath())).toBe(false);
		expect((await stat(partial(VISION))).size).toBe(100_000);
	});

	it('stops within 2 s while waiting to retry', async () => {
		hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });
		hub.misbehave(REPO, VISION, { kind: 'reset', afterBytes: 10_000 });
		const controller = new AbortController();
		const attempt = resolveModelFolder('clip-vit-base-patch32', options({ signal: controller.signal }));
		await waitUntil(() => log.some((line) => / Retrying in 1 s \(attempt 3 of 5\)\.$/.test(line)), 20_000);

		const ms = await cancelAndTime('during a retry back-off', controller, attempt);

		expect(ms).toBeLessThan(PROMPT_MS);
		expect(await exists(lockPath())).toBe(false);
	});

	it('stops within 2 s while waiting for another download of the same model', async () => {
		hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });
		const other = await acquireDownloadLock(lockPath());
		try {
			const controller = new AbortController();
			const attempt = resolveModelFolder('clip-vit-base-patch32', options({ signal: controller.signal }));
			await waitUntil(() => log.some((line) => line.includes('is being downloaded by another execution or process; waiting')), 20_000);

			const ms = await cancelAndTime('while waiting for the lock', controller, attempt);

			expect(ms).toBeLessThan(PROMPT_MS);
			expect(hub.transfers(REPO, VISION)).toEqual([]);
		} finally {
			await other.release();
		}
	});

	it('lets a run waiting on the lock take the download over, resuming the cancelled run\'s partial file', async () => {
		hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET, 2 * 1024 * 1024) });
		hub.throttle = { chunkBytes: 16 * 1024, delayMs: 20 };
		const controller = new AbortController();
		const first = resolveModelFolder('clip-vit-base-patch32', options({ signal: controller.signal }));
		await waitUntil(() => hub.transfers(REPO, TEXT).some((t) => t.bytesSent > 256 * 1024), 20_000);
		const waiterLog: string[] = [];
		const second = resolveModelFolder('clip-vit-base-patch32', options({ log: (m) => waiterLog.push(m) }));
		await waitUntil(() => waiterLog.some((line) => line.includes('waiting for it to finish')), 20_000);
		hub.throttle = undefined;

		controller.abort();
		await expect(first).rejects.toMatchObject({ code: 'aborted' });
		const model = await second;

		const ranges = hub.transfers(REPO, TEXT).map((t) => t.range);
		expect(ranges).toHaveLength(2);
		expect(ranges[0]).toBeUndefined();
		expect(Number(/^bytes=(\d+)-$/.exec(ranges[1] ?? '')?.[1])).toBeGreaterThan(256 * 1024);
		expect(model.files).toContain(TEXT);
		expect(await exists(lockPath())).toBe(false);
	}, 60_000);

	it('gives the runs waiting on the lock the give-up error as soon as it happens, instead of a second wait as long', async () => {
		hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });
		hub.misbehave(REPO, VISION, { kind: 'stall', afterBytes: 50_000 });
		const limits: DownloadLimits = { minBytesPerSecond: 20_000, windowMs: 1000, giveUpMs: 2000 };
		const first = resolveModelFolder('clip-vit-base-patch32', options({ downloadLimits: limits }));
		await waitUntil(() => hub.transfers(REPO, VISION).length > 0, 20_000);
		const second = resolveModelFolder('clip-vit-base-patch32', options({ downloadLimits: limits }));

		const failedAt = await first.then(
			() => Number.NaN,
			() => Date.now(),
		);
		const error = await second.then(
			() => undefined,
			(e: Error) => e,
		);
		const waiterMs = Date.now() - failedAt;
		figures.push(`waiter failing after the holder gave up: ${waiterMs} ms`);

		expect(error?.message).toMatch(/^The download of Xenova\/clip-vit-base-patch32@main that this run waited for failed \(the next run tries again\): Gave up downloading "onnx\/vision_model\.onnx"/);
		expect(waiterMs).toBeLessThan(PROMPT_MS);
		expect(hub.transfers(REPO, VISION)).toHaveLength(2);

		// A later run is not refused: it tries again, from the bytes kept.
		hub.misbehave(REPO, VISION, { kind: 'stall', afterBytes: 0 }, 0);
		const model = await resolveModelFolder('clip-vit-base-patch32', options({ downloadLimits: limits }));
		expect(model.files).toContain(VISION);
		expect(hub.transfers(REPO, VISION).map((t) => t.range)[2]).toBe('bytes=100000-');
	}, 30_000);
});
