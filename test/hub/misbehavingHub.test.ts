import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

import type { DownloadLimits } from '../../engine/hub/downloadLimits';
import { getPreset } from '../../engine/hub/presets';
import { resolveModelFolder, type ResolveModelOptions } from '../../engine/hub/resolveModel';
import { MockHub } from './mockHub';
import { HF_REPO_PATHS, generatedFiles, presetRepoFiles } from './mockRepos';
import { useIsolatedHubEnv } from './hubTestEnv';

/**
 * A broken mirror or proxy between the node and the Hub must never hold the download (and so the
 * n8n execution) for ever. The limits are shrunk so each spec takes seconds instead of minutes:
 * floor 20 kB/s over 1 s, give-up 2 s after the first abandonment, so the stated bound
 * (window + give-up + a third of the window) is 3.3 s. The asserted bounds are loose, for a
 * loaded machine; the real figures are printed and kept in the notes.
 */
const LIMITS: DownloadLimits = { minBytesPerSecond: 20_000, windowMs: 1000, giveUpMs: 2000 };
const STATED_BOUND_MS = LIMITS.windowMs + LIMITS.giveUpMs + LIMITS.windowMs / 3;
const SLACK_MS = 6000;

const PRESET = getPreset('clip-vit-base-patch32');
const REPO = PRESET.source.repo;
const VISION = 'onnx/vision_model.onnx';
const TOKEN = 'hf_tokenThatMustStayOnTheEndpoint';

const figures: string[] = [];
afterAll(() => process.stderr.write(`\n[misbehaving Hub, limits ${JSON.stringify(LIMITS)}]\n  ${figures.join('\n  ')}\n`));

async function timed<T>(label: string, work: () => Promise<T>): Promise<{ value: T | undefined; error: Error | undefined; ms: number }> {
	const started = Date.now();
	let value: T | undefined;
	let error: Error | undefined;
	try {
		value = await work();
	} catch (caught) {
		error = caught as Error;
	}
	const ms = Date.now() - started;
	figures.push(`${label}: ${ms} ms${error ? ` -> ${error.message}` : ''}`);
	return { value, error, ms };
}

describe('a misbehaving Hub', () => {
	const env = useIsolatedHubEnv();
	let hub: MockHub;
	let log: string[];
	const options = (extra: Partial<ResolveModelOptions> = {}): ResolveModelOptions => ({
		cacheDir: env.cacheDir(),
		endpoint: hub.endpoint,
		downloadLimits: LIMITS,
		log: (message) => log.push(message),
		...extra,
	});
	const partialPath = () => join(env.cacheDir(), 'Xenova--clip-vit-base-patch32', 'main', `${VISION}.incomplete`);
	beforeEach(async () => {
		hub = await MockHub.start();
		log = [];
	});
	afterEach(async () => {
		await hub.stop();
	});

	it('gives up on a trickle (one byte every 200 ms) within the bound, in one line naming the file, the endpoint and the slowness', async () => {
		hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });
		hub.misbehave(REPO, VISION, { kind: 'trickle', bytes: 1, everyMs: 200 });

		const { error, ms } = await timed('trickle, give-up', () => resolveModelFolder('clip-vit-base-patch32', options()));

		expect(error).toMatchObject({ code: 'network' });
		expect(error?.message).not.toContain('\n');
		expect(error?.message).toMatch(new RegExp(`^Gave up downloading "${VISION}" of ${REPO}@[0-9a-f]{40} from ${hub.endpoint} after \\d attempts in `));
		expect(error?.message).toMatch(/B\/s over the last .*, below the floor of 20\.0 kB\/s/);
		expect(error?.message).toContain('lower N8N_ZSIC_DOWNLOAD_MIN_SPEED');
		expect(ms).toBeGreaterThanOrEqual(LIMITS.windowMs);
		expect(ms).toBeLessThan(STATED_BOUND_MS + SLACK_MS);
	});

	it('says a transfer is crawling before abandoning it', async () => {
		hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });
		hub.misbehave(REPO, VISION, { kind: 'trickle', bytes: 1, everyMs: 200 });

		await resolveModelFolder('clip-vit-base-patch32', options()).catch(() => undefined);

		const warning = log.findIndex((line) => line.startsWith(`${VISION}: crawling at `) && line.includes('below the floor of 20.0 kB/s over 1 s'));
		const abandoned = log.findIndex((line) => line.includes(`The transfer of "${VISION}"`) && line.includes('was abandoned'));
		expect(warning).toBeGreaterThanOrEqual(0);
		expect(abandoned).toBeGreaterThan(warning);
	});

	it('gives up on a body that stalls right after the headers within the bound', async () => {
		hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });
		hub.misbehave(REPO, VISION, { kind: 'stall', afterBytes: 0 });

		const { error, ms } = await timed('stall after headers, give-up', () => resolveModelFolder('clip-vit-base-patch32', options()));

		expect(error?.message).toMatch(new RegExp(`^Gave up downloading "${VISION}" .* after \\d attempts in .*: The transfer of "${VISION}" from localhost:\\d+ was abandoned after 0 B: no data for 1 s\\.`));
		expect(error?.message).toContain('Check the network, the proxy, or the mirror set in HF_ENDPOINT.');
		expect(ms).toBeLessThan(STATED_BOUND_MS + SLACK_MS);
	});

	it('stops an attempt still stalling when the give-up time runs out, rather than letting it finish its window', async () => {
		hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });
		hub.misbehave(REPO, VISION, { kind: 'stall', afterBytes: 0 });
		// Abandoned at 1 s, 2.5 s; the third attempt starts at 3.5 s and is cut at 4 s, not 4.5 s.
		const limits = { ...LIMITS, giveUpMs: 3000 };

		const { error, ms } = await timed('stall, give-up time cutting the last attempt', () => resolveModelFolder('clip-vit-base-patch32', options({ downloadLimits: limits })));

		expect(error?.message).toMatch(/after 3 attempts in .*: .* no data for 0\.3 s when the give-up time \(3 s\) ran out\./);
		expect(ms).toBeLessThan(limits.windowMs + limits.giveUpMs + limits.windowMs / 3 + SLACK_MS);
	});

	it('gives up on a server that never answers the request (no headers at all) within the bound', async () => {
		hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });
		hub.misbehave(REPO, VISION, { kind: 'no-response' });

		const { error, ms } = await timed('no response, give-up', () => resolveModelFolder('clip-vit-base-patch32', options()));

		expect(error?.message).toMatch(/was abandoned after 0 B: no data for 1 s/);
		expect(ms).toBeLessThan(STATED_BOUND_MS + SLACK_MS);
	});

	it('resumes a transfer that stalls mid-file once, from the bytes it had, well within the window plus slack', async () => {
		const repo = hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });
		hub.misbehave(REPO, VISION, { kind: 'stall', afterBytes: 100_000 }, 1);

		const { value: model, ms } = await timed('stall mid-file once, resumed', () => resolveModelFolder('clip-vit-base-patch32', options()));

		expect(hub.transfers(REPO, VISION).map((t) => t.range)).toEqual([undefined, 'bytes=100000-']);
		expect(await readFile(join(model?.folder ?? '', VISION))).toEqual(repo.files.get(VISION)?.content);
		expect(ms).toBeLessThan(LIMITS.windowMs + SLACK_MS);
	});

	it('after giving up on a file that keeps stalling mid-file, the next run resumes from the bytes already received', async () => {
		const repo = hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });
		hub.misbehave(REPO, VISION, { kind: 'stall', afterBytes: 100_000 });

		const { error, ms } = await timed('stall mid-file always, give-up', () => resolveModelFolder('clip-vit-base-patch32', options()));
		// Each attempt resumed and got another 100 kB before the next stall.
		expect(error?.message).toMatch(/no data for 1 s\. The 200 kB received are kept; the next run resumes from there\./);
		expect(ms).toBeLessThan(STATED_BOUND_MS + SLACK_MS);
		expect((await stat(partialPath())).size).toBe(200_000);

		hub.misbehave(REPO, VISION, { kind: 'stall', afterBytes: 0 }, 0);
		hub.clearRequests();
		const model = await resolveModelFolder('clip-vit-base-patch32', options());

		expect(hub.transfers(REPO, VISION).map((t) => t.range)).toEqual(['bytes=200000-']);
		expect(await readFile(join(model.folder, VISION))).toEqual(repo.files.get(VISION)?.content);
	});

	it('resumes a transfer reset mid-file (TCP RST) and ends with the right bytes', async () => {
		const repo = hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });
		hub.misbehave(REPO, VISION, { kind: 'reset', afterBytes: 100_000 }, 1);

		const { value: model, ms } = await timed('reset mid-file once, resumed', () => resolveModelFolder('clip-vit-base-patch32', options()));

		const ranges = hub.transfers(REPO, VISION).map((t) => t.range);
		expect(ranges).toHaveLength(2);
		expect(ranges[1]).toMatch(/^bytes=\d+-$/);
		expect(await readFile(join(model?.folder ?? '', VISION))).toEqual(repo.files.get(VISION)?.content);
		expect(ms).toBeLessThan(SLACK_MS);
	});

	it('gives up on a file reset mid-file at every attempt after 5 attempts, naming it and the endpoint', async () => {
		hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });
		hub.misbehave(REPO, VISION, { kind: 'reset', afterBytes: 10_000 });

		// Back-off between the 5 attempts: 0.5 + 1 + 2 + 4 s.
		const { error, ms } = await timed('reset at every attempt, give-up', () => resolveModelFolder('clip-vit-base-patch32', options()));

		expect(error?.message).toMatch(new RegExp(`^Gave up downloading "${VISION}" of ${REPO}@[0-9a-f]{40} from ${hub.endpoint} after 5 attempts in .*: The transfer of "${VISION}" from localhost:\\d+ was interrupted after 50\\.0 kB \\(the connection was cut\\)`));
		expect(hub.transfers(REPO, VISION)).toHaveLength(5);
		expect(ms).toBeLessThan(7500 + SLACK_MS);
	}, 30_000);

	it('fails at once on a redirect loop, naming the endpoint and the file', async () => {
		hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });
		hub.redirectLoop(REPO, VISION);

		const { error, ms } = await timed('redirect loop', () => resolveModelFolder('clip-vit-base-patch32', options()));

		expect(error).toMatchObject({ code: 'too-many-redirects' });
		expect(error?.message).toMatch(new RegExp(`${new URL(hub.endpoint).host}/${REPO}/resolve/[0-9a-f]{40}/${VISION}`));
		expect(ms).toBeLessThan(SLACK_MS);
	});

	it('downloads LFS files redirected to another origin without sending the token there, quickly', async () => {
		hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET), token: TOKEN });

		const { value: model, ms } = await timed('cross-origin redirect', () => resolveModelFolder('clip-vit-base-patch32', options({ token: TOKEN })));

		expect(model?.files).toContain(VISION);
		const cdn = hub.requests.filter((r) => r.kind === 'cdn');
		expect(cdn.length).toBeGreaterThan(0);
		expect(cdn.every((r) => r.host === new URL(hub.cdnOrigin).host && r.authorization === undefined)).toBe(true);
		expect(ms).toBeLessThan(SLACK_MS);
	});

	it('gives up on a file list that trickles, within the window', async () => {
		hub.addRepo({ repo: 'someone/clip', files: generatedFiles(HF_REPO_PATHS) });
		hub.misbehaveListing('someone/clip', { kind: 'trickle', bytes: 1, everyMs: 200 });

		const { error, ms } = await timed('trickled file list', () => resolveModelFolder('someone/clip', options()));

		expect(error?.message).toMatch(/^Gave up fetching the file list of someone\/clip@main from 127\.0\.0\.1:\d+\/api\/models\/someone\/clip\/revision\/main: .*below the floor/);
		expect(ms).toBeLessThan(LIMITS.windowMs + SLACK_MS);
	});

	it('takes the floor, window and give-up time from the environment', async () => {
		hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });
		hub.misbehave(REPO, VISION, { kind: 'stall', afterBytes: 0 });
		process.env.N8N_ZSIC_DOWNLOAD_MIN_SPEED = '1kB';
		process.env.N8N_ZSIC_DOWNLOAD_SPEED_WINDOW = '0.5';
		process.env.N8N_ZSIC_DOWNLOAD_GIVE_UP = '0';

		const { error, ms } = await timed('limits from the environment (window 0.5 s, no retry)', () =>
			resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint }),
		);

		expect(error?.message).toMatch(/after 1 attempt in .*no data for 0\.5 s/);
		expect(ms).toBeLessThan(500 + SLACK_MS);
	});

	it('refuses a malformed limit in the environment with the variable named', async () => {
		hub.addRepo({ repo: REPO, files: presetRepoFiles(PRESET) });
		process.env.N8N_ZSIC_DOWNLOAD_MIN_SPEED = 'fast';

		await expect(resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint })).rejects.toMatchObject({
			code: 'invalid-setting',
			message: expect.stringContaining('N8N_ZSIC_DOWNLOAD_MIN_SPEED="fast" is not understood'),
		});
		expect(hub.requests).toEqual([]);
	});
});
