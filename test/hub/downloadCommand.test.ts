import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { runDownloadCommand, runModelsCommand } from '../../cli/downloadCommand';
import { formatClock, renderProgressLine } from '../../cli/downloadProgressBar';
import { getPreset } from '../../engine/hub/presets';
import { MockHub } from './mockHub';
import { presetRepoFiles } from './mockRepos';
import { useIsolatedHubEnv } from './hubTestEnv';

function captureIO(isTTY = false) {
	const out = { stdout: '', stderr: '' };
	return {
		out,
		io: {
			stdout: { write: (text: string) => (out.stdout += text) },
			stderr: { write: (text: string) => (out.stderr += text) },
			isTTY,
			columns: 100,
		},
	};
}

const PRESET = getPreset('clip-vit-base-patch32');

describe('clip-classify download', () => {
	const env = useIsolatedHubEnv();
	let hub: MockHub;
	beforeEach(async () => {
		hub = await MockHub.start();
		hub.addRepo({ repo: PRESET.source.repo, files: presetRepoFiles(PRESET) });
	});
	afterEach(async () => {
		await hub.stop();
	});

	it('downloads a preset into --cache-dir and prints the model folder on stdout', async () => {
		const { io, out } = captureIO();

		const code = await runDownloadCommand(['clip-vit-base-patch32', '--cache-dir', env.cacheDir(), '--endpoint', hub.endpoint], io);

		expect(code).toBe(0);
		expect(out.stdout).toBe(`${join(env.cacheDir(), 'Xenova--clip-vit-base-patch32', 'main')}\n`);
		expect(await readFile(join(out.stdout.trim(), 'config.json'), 'utf8')).toContain('config.json');
	});

	it('prints plain progress lines on stderr when not on a terminal', async () => {
		const { io, out } = captureIO(false);

		await runDownloadCommand(['clip-vit-base-patch32', '--cache-dir', env.cacheDir(), '--endpoint', hub.endpoint], io);

		expect(out.stderr).toMatch(/^Downloading Xenova\/clip-vit-base-patch32@main/m);
		expect(out.stderr).toMatch(/^Model ready: Xenova\/clip-vit-base-patch32@main \(commit [0-9a-f]{12}\), variant fp32\.$/m);
		expect(out.stderr).not.toContain('\r');
	});

	it('draws a redrawn progress bar on a terminal', async () => {
		const { io, out } = captureIO(true);

		await runDownloadCommand(['clip-vit-base-patch32', '--cache-dir', env.cacheDir(), '--endpoint', hub.endpoint], io);

		// ESC [2K: the terminal's "erase line" before each redraw.
		const eraseLine = `\r${String.fromCharCode(27)}[2K`;
		expect(out.stderr).toContain(eraseLine);
		expect(out.stderr.split(eraseLine).some((line) => /^\[#+\] 100% {2}262 kB \/ 262 kB {2}.* onnx\/vision_model\.onnx/.test(line))).toBe(true);
	});

	it('warns on a terminal that a transfer crawls, and shows it in the bar, before abandoning it', async () => {
		const { io, out } = captureIO(true);
		hub.misbehave(PRESET.source.repo, 'onnx/vision_model.onnx', { kind: 'trickle', bytes: 1, everyMs: 100 }, 1);
		process.env.N8N_ZSIC_DOWNLOAD_MIN_SPEED = '20kB';
		process.env.N8N_ZSIC_DOWNLOAD_SPEED_WINDOW = '1.5';

		const code = await runDownloadCommand(['clip-vit-base-patch32', '--cache-dir', env.cacheDir(), '--endpoint', hub.endpoint], io);

		expect(code).toBe(0);
		const lines = out.stderr.split(`\r${String.fromCharCode(27)}[2K`).flatMap((part) => part.split('\n'));
		const bar = lines.findIndex((line) => /TOO SLOW {2}onnx\/vision_model\.onnx/.test(line));
		const warning = lines.findIndex((line) => line.startsWith('onnx/vision_model.onnx: crawling at '));
		const abandoned = lines.findIndex((line) => /^onnx\/vision_model\.onnx: The transfer .* was abandoned after \d+ B: .* Retrying in 0\.5 s \(attempt 2 of 5\)\.$/.test(line));
		expect(bar).toBeGreaterThan(0);
		expect(warning).toBeGreaterThan(0);
		expect(abandoned).toBeGreaterThan(Math.min(bar, warning));
	});

	it('mentions the download limits and their environment variables in its usage', async () => {
		const { io, out } = captureIO();

		await runDownloadCommand(['--help'], io);

		expect(out.stdout).toMatch(/slower than 16\.0 kB\/s averaged over 30 s is abandoned and resumed/);
		for (const name of ['N8N_ZSIC_DOWNLOAD_MIN_SPEED', 'N8N_ZSIC_DOWNLOAD_SPEED_WINDOW', 'N8N_ZSIC_DOWNLOAD_GIVE_UP']) expect(out.stdout).toContain(name);
	});

	it('downloads the variant given with --variant', async () => {
		const { io, out } = captureIO();

		await runDownloadCommand(['clip-vit-base-patch32', '--variant', 'quantized', '--cache-dir', env.cacheDir(), '--endpoint', hub.endpoint], io);

		expect(out.stderr).toContain('variant quantized');
		expect(hub.transfers(PRESET.source.repo, 'onnx/vision_model_quantized.onnx')).toHaveLength(1);
	});

	it('exits with 1 and the reason when the download fails', async () => {
		const { io, out } = captureIO();

		const code = await runDownloadCommand(['nobody/nothing', '--cache-dir', env.cacheDir(), '--endpoint', hub.endpoint], io);

		expect(code).toBe(1);
		expect(out.stderr).toMatch(/^error: .*repository nobody\/nothing does not exist/m);
		expect(out.stdout).toBe('');
	});

	it('exits with 2 and the usage without a model argument', async () => {
		const { io, out } = captureIO();

		expect(await runDownloadCommand([], io)).toBe(2);
		expect(out.stderr).toContain('Usage: clip-classify download');
	});

	it('exits with 2 on an unknown option, such as a token on the command line', async () => {
		const { io, out } = captureIO();

		expect(await runDownloadCommand(['clip-vit-base-patch32', '--token', 'hf_x'], io)).toBe(2);
		expect(out.stderr).toMatch(/Unknown option '--token'/);
	});

	it('refuses a local folder: there is nothing to download', async () => {
		const { io, out } = captureIO();

		expect(await runDownloadCommand(['./my-model'], io)).toBe(1);
		expect(out.stderr).toContain('nothing to download');
	});

	it('prints its usage on --help', async () => {
		const { io, out } = captureIO();

		expect(await runDownloadCommand(['--help'], io)).toBe(0);
		expect(out.stdout).toContain('HF_TOKEN');
	});
});

describe('clip-classify models', () => {
	const env = useIsolatedHubEnv();

	it('lists every preset with its download size, memory and description, marking the default', async () => {
		const { io, out } = captureIO();

		expect(await runModelsCommand(['--cache-dir', env.cacheDir()], io)).toBe(0);

		expect(out.stdout).toMatch(/clip-vit-base-patch32 \(default\) +608 MB download, ~900 MB RAM, variants: fp16\/fp32\/quantized\n/);
		expect(out.stdout).toContain('OpenCLIP ViT-B/32 multilingual');
		for (const id of ['clip-vit-large-patch14', 'openclip-xlm-roberta-base-vit-b-32', 'openclip-vit-b-32-laion2b']) expect(out.stdout).toContain(id);
	});

	it('marks the presets already in the cache', async () => {
		const hub = await MockHub.start();
		try {
			hub.addRepo({ repo: PRESET.source.repo, files: presetRepoFiles(PRESET) });
			await runDownloadCommand(['clip-vit-base-patch32', '--cache-dir', env.cacheDir(), '--endpoint', hub.endpoint], captureIO().io);
			const { io, out } = captureIO();

			await runModelsCommand(['--cache-dir', env.cacheDir()], io);

			expect(out.stdout).toMatch(/clip-vit-base-patch32 \(default\) .*, cached\n/);
			expect(out.stdout).not.toMatch(/clip-vit-large-patch14 .*, cached/);
		} finally {
			await hub.stop();
		}
	});

	it('prints JSON with --json', async () => {
		const { io, out } = captureIO();

		await runModelsCommand(['--json', '--cache-dir', env.cacheDir()], io);

		expect(JSON.parse(out.stdout)).toContainEqual(expect.objectContaining({ id: 'clip-vit-base-patch32', default: true, cached: false }));
	});
});

describe('renderProgressLine', () => {
	it('never exceeds the terminal width', () => {
		const line = renderProgressLine({ file: `onnx/${'x'.repeat(200)}.onnx`, receivedBytes: 5e6, totalBytes: 10e6, bytesPerSecond: 1e6 }, 60);

		expect(line.length).toBeLessThanOrEqual(59);
		expect(line).toMatch(/^\[#####/);
	});

	it('shows the amounts, the rate and the time left', () => {
		const line = renderProgressLine({ file: 'onnx/vision_model.onnx', receivedBytes: 148e6, totalBytes: 352e6, bytesPerSecond: 12e6, etaSeconds: 17 }, 120);

		expect(line).toMatch(/\] {2}42% {2}148 MB \/ 352 MB {2}12\.0 MB\/s {2}ETA 0:17 {2}onnx\/vision_model\.onnx$/);
	});

	it('shows TOO SLOW instead of the time left while the transfer crawls', () => {
		const line = renderProgressLine({ file: 'f', receivedBytes: 1e6, totalBytes: 352e6, bytesPerSecond: 900, crawling: true }, 120);

		expect(line).toContain('900 B/s  TOO SLOW  f');
	});
});

describe('formatClock', () => {
	it.each([
		[17, '0:17'],
		[725, '12:05'],
		[3723, '1:02:03'],
		[undefined, '--:--'],
	])('writes %p s as %s', (seconds, text) => {
		expect(formatClock(seconds)).toBe(text);
	});
});
