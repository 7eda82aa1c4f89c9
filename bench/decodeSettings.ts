import { readFileSync, writeFileSync } from 'node:fs';
import { unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { DEFAULT_MAX_PIXELS } from '../engine/image/preprocessSpec';
import { benchCacheDir, CONFORMANCE_IMAGES, RESULTS_DIR } from './benchPaths';
import { cameraImages, type CameraSetName } from './fixtures/cameraImages';

/**
 * `npm run bench:decode`: the decode-side levers of the default mode, one at a time against the
 * settings the engine uses (sharp input options `ignoreIcc`, `failOn: 'error'`, `pages: 1`,
 * the libvips cache off, the JPEG decoded at 1/2 scale through a file name): reading the header
 * only, writing the private temporary file, and sharp's cache, `failOn` and `sequentialRead`.
 * Each setting runs once per round, rounds interleaved, so drift spreads over all of them; per
 * image the best of three, then the median over images. Writes bench/results/decode-settings.md.
 */

const ROUNDS = 3;
const SETS: readonly CameraSetName[] = ['camera-12mp', 'camera-24mp'];
const ENGINE_OPTIONS: sharp.SharpOptions = { limitInputPixels: DEFAULT_MAX_PIXELS, ignoreIcc: true, failOn: 'error', pages: 1 };

interface Setting {
	readonly name: string;
	readonly run: (file: string, bytes: Buffer) => Promise<unknown>;
}

const decode = (image: sharp.Sharp): Promise<Buffer> => image.autoOrient().removeAlpha().toColourspace('srgb').raw().toBuffer();
const halfScale = (file: string, options: sharp.SharpOptions, cache = false): Promise<Buffer> => {
	sharp.cache(cache);
	return decode(sharp(`${file}[shrink=2]`, options));
};

let sequence = 0;
const SETTINGS: readonly Setting[] = [
	{ name: 'header only (sharp metadata: picks the shrink)', run: (_file, bytes) => sharp(bytes, ENGINE_OPTIONS).metadata() },
	{
		name: 'private temporary file (write + unlink)',
		run: async (_file, bytes) => {
			const path = join(tmpdir(), `n8n-zsic-bench-${process.pid}-${sequence++}.jpg`);
			await writeFile(path, bytes, { flag: 'wx', mode: 0o600 });
			await unlink(path);
		},
	},
	{ name: '1/2-scale decode, engine settings', run: (file) => halfScale(file, ENGINE_OPTIONS) },
	{ name: '1/2-scale decode, libvips cache on', run: (file) => halfScale(file, ENGINE_OPTIONS, true) },
	{ name: "1/2-scale decode, failOn: 'none'", run: (file) => halfScale(file, { ...ENGINE_OPTIONS, failOn: 'none' }) },
	{ name: '1/2-scale decode, sequentialRead: false', run: (file) => halfScale(file, { ...ENGINE_OPTIONS, sequentialRead: false }) },
	{ name: 'full decode (the reference mode)', run: (_file, bytes) => (sharp.cache(false), decode(sharp(bytes, ENGINE_OPTIONS))) },
];

async function medianMs(setting: Setting, files: readonly string[], bytes: readonly Buffer[]): Promise<number> {
	const best: number[] = [];
	for (let i = 0; i < files.length; i++) {
		let fastest = Infinity;
		for (let repeat = 0; repeat < 3; repeat++) {
			const started = process.hrtime.bigint();
			await setting.run(files[i], bytes[i]);
			fastest = Math.min(fastest, Number(process.hrtime.bigint() - started) / 1e6);
		}
		best.push(fastest);
	}
	best.sort((a, b) => a - b);
	return best[best.length >> 1];
}

async function main(): Promise<void> {
	const log = (message: string): void => void process.stdout.write(`${message}\n`);
	const lines = [
		'# Decode settings (default mode, camera-like JPEGs)',
		'',
		`${new Date().toISOString()} · sharp ${sharp.versions.sharp} · libvips ${sharp.versions.vips} · sharp concurrency ${sharp.concurrency()}`,
		'',
		`ms per image: median over images of the best of 3; ${ROUNDS} interleaved rounds.`,
		'',
		`| setting | ${SETS.map((s) => `${s} ms (rounds)`).join(' | ')} |`,
		`| --- | ${SETS.map(() => '---:').join(' | ')} |`,
	];
	const figures = new Map<string, string[][]>(SETTINGS.map((s) => [s.name, SETS.map(() => [])]));
	for (const [k, set] of SETS.entries()) {
		const files = await cameraImages(benchCacheDir(), set, CONFORMANCE_IMAGES, log);
		if (files.length === 0) throw new Error(`no ${set} images: this benchmark needs ../shared/conformance/images`);
		const bytes = files.map((file) => readFileSync(file));
		for (let round = 0; round < ROUNDS; round++) {
			for (const setting of SETTINGS) figures.get(setting.name)?.[k].push((await medianMs(setting, files, bytes)).toFixed(1));
		}
	}
	for (const setting of SETTINGS) lines.push(`| ${setting.name} | ${(figures.get(setting.name) ?? []).map((rounds) => rounds.join(' / ')).join(' | ')} |`);
	const markdown = `${lines.join('\n')}\n`;
	log(`\n${markdown}`);
	writeFileSync(join(RESULTS_DIR, 'decode-settings.md'), markdown);
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
	process.exitCode = 1;
});
