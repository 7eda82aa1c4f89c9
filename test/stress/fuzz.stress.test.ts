/**
 * Fuzzing the image path: thousands of mutated JPEG, PNG, WebP and GIF files (bit flips,
 * truncations, header edits, spliced chunks; a seeded PRNG, so every run feeds the same files)
 * through preprocessing. None may crash the process, hang (each is bounded by a timeout), reject
 * unhandled, or fail with anything but a clear EngineError; then a sample goes through
 * classifyImages in batches, where the good items must still be classified.
 */
import sharp from 'sharp';
import { classifyImages, ClipModel, EngineError, preprocessImage, type PreprocessSpec } from '../../engine';
import { DEFAULT_MAX_PIXELS, RESAMPLINGS } from '../../engine/image/preprocessSpec';
import { testModelPaths } from '../fixtures/testModels';
import { seededRandom } from '../fixtures/seededRandom';
import { encode, patternPixels } from '../reliability/hostileImages';

const CASES_PER_SEED = 250;
const PER_ITEM_TIMEOUT_MS = 5000;
const SPEC: PreprocessSpec = { size: 224, resizeTo: 224, resizeMode: 'shortest', mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711] };

type Format = 'jpeg' | 'png' | 'webp' | 'gif';

interface Seed {
	readonly name: string;
	readonly format: Format;
	readonly bytes: Buffer;
}

async function seeds(): Promise<Seed[]> {
	const out: Seed[] = [];
	for (const [width, height] of [
		[64, 48],
		[300, 200],
	]) {
		const image = encode(patternPixels(width, height, width));
		out.push({ name: `jpeg ${width}x${height}`, format: 'jpeg', bytes: await image.clone().jpeg({ quality: 85 }).toBuffer() });
		out.push({ name: `progressive jpeg ${width}x${height}`, format: 'jpeg', bytes: await image.clone().jpeg({ quality: 85, progressive: true }).toBuffer() });
		out.push({ name: `png ${width}x${height}`, format: 'png', bytes: await image.clone().png().toBuffer() });
		out.push({ name: `interlaced png ${width}x${height}`, format: 'png', bytes: await image.clone().png({ progressive: true, palette: true }).toBuffer() });
		out.push({ name: `lossy webp ${width}x${height}`, format: 'webp', bytes: await image.clone().webp({ quality: 80 }).toBuffer() });
		out.push({ name: `lossless webp ${width}x${height}`, format: 'webp', bytes: await image.clone().webp({ lossless: true }).toBuffer() });
		out.push({ name: `gif ${width}x${height}`, format: 'gif', bytes: await image.clone().gif().toBuffer() });
		const frames = [await image.clone().png().toBuffer(), await encode(patternPixels(width, height, 7)).png().toBuffer()];
		out.push({ name: `animated gif ${width}x${height}`, format: 'gif', bytes: await sharp(frames, { join: { animated: true } }).gif().toBuffer() });
	}
	return out;
}

/** Offsets of the size fields in each format's header, for edits that lie about the size. */
function sizeFieldOffsets(seed: Seed): Array<{ offset: number; bytes: number; bigEndian: boolean }> {
	const b = seed.bytes;
	switch (seed.format) {
		case 'png':
			return [
				{ offset: 16, bytes: 4, bigEndian: true },
				{ offset: 20, bytes: 4, bigEndian: true },
			];
		case 'gif':
			return [
				{ offset: 6, bytes: 2, bigEndian: false },
				{ offset: 8, bytes: 2, bigEndian: false },
			];
		case 'webp': {
			// VP8 (lossy): 14-bit sizes after the 3-byte start code; VP8L: packed after the 0x2f signature; VP8X: 24-bit canvas sizes.
			const kind = b.toString('latin1', 12, 16);
			if (kind === 'VP8 ') return [{ offset: 26, bytes: 2, bigEndian: false }, { offset: 28, bytes: 2, bigEndian: false }];
			if (kind === 'VP8X') return [{ offset: 24, bytes: 3, bigEndian: false }, { offset: 27, bytes: 3, bigEndian: false }];
			return [{ offset: 21, bytes: 4, bigEndian: false }];
		}
		case 'jpeg': {
			const out: Array<{ offset: number; bytes: number; bigEndian: boolean }> = [];
			for (let i = 2; i + 9 < b.length; i++) {
				if (b[i] === 0xff && (b[i + 1] === 0xc0 || b[i + 1] === 0xc2)) {
					out.push({ offset: i + 5, bytes: 2, bigEndian: true }, { offset: i + 7, bytes: 2, bigEndian: true });
					break;
				}
			}
			return out;
		}
	}
}

function writeUInt(buffer: Buffer, field: { offset: number; bytes: number; bigEndian: boolean }, value: number): void {
	if (field.offset + field.bytes > buffer.length) return;
	for (let k = 0; k < field.bytes; k++) {
		const shift = 8 * (field.bigEndian ? field.bytes - 1 - k : k);
		buffer[field.offset + k] = Math.floor(value / 2 ** shift) & 0xff;
	}
}

type Mutation = 'bit flips' | 'byte runs' | 'truncation' | 'header size edit' | 'header bytes' | 'chunk splice' | 'zeroed tail' | 'duplicated block';
const MUTATIONS: readonly Mutation[] = ['bit flips', 'byte runs', 'truncation', 'header size edit', 'header bytes', 'chunk splice', 'zeroed tail', 'duplicated block'];

function mutate(seed: Seed, mutation: Mutation, random: () => number): Buffer {
	const src = seed.bytes;
	const pick = (n: number) => Math.floor(random() * n);
	const out = Buffer.from(src);
	switch (mutation) {
		case 'bit flips': {
			const flips = 1 + pick(16);
			for (let k = 0; k < flips; k++) out[pick(out.length)] ^= 1 << pick(8);
			return out;
		}
		case 'byte runs': {
			const start = pick(out.length);
			const length = 1 + pick(64);
			const value = [0x00, 0xff, pick(256)][pick(3)];
			out.fill(value, start, Math.min(out.length, start + length));
			return out;
		}
		case 'truncation':
			return Buffer.from(src.subarray(0, pick(src.length)));
		case 'header size edit': {
			const fields = sizeFieldOffsets(seed);
			const values = [0, 1, 2, 0xffff, 0x7fff, 0xffffff, 0x7fffffff, 0xffffffff, 50_000, pick(100_000)];
			for (const field of fields) if (random() < 0.7) writeUInt(out, field, values[pick(values.length)]);
			return out;
		}
		case 'header bytes': {
			const edits = 1 + pick(6);
			for (let k = 0; k < edits; k++) out[pick(Math.min(out.length, 64))] = pick(256);
			return out;
		}
		case 'chunk splice': {
			// A slice of the file pasted elsewhere in it: structure that is valid in the wrong place.
			const from = pick(src.length);
			const length = 1 + pick(Math.min(512, src.length - from));
			const to = pick(src.length);
			return Buffer.concat([src.subarray(0, to), src.subarray(from, from + length), src.subarray(to)]);
		}
		case 'zeroed tail': {
			const at = Math.floor(src.length * (0.3 + 0.7 * random()));
			out.fill(0, at);
			return out;
		}
		case 'duplicated block': {
			const at = pick(src.length);
			const length = 1 + pick(Math.min(4096, src.length - at));
			const block = src.subarray(at, at + length);
			return Buffer.concat([src.subarray(0, at), block, block, block, src.subarray(at)]);
		}
	}
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('fuzzing the image path', () => {
	const unhandled: unknown[] = [];
	const onUnhandled = (reason: unknown) => unhandled.push(reason);
	const corpus: Array<{ seed: Seed; mutation: Mutation; bytes: Buffer }> = [];

	beforeAll(async () => {
		process.on('unhandledRejection', onUnhandled);
		const random = seededRandom(0x5eed_f022);
		for (const seed of await seeds()) {
			for (let i = 0; i < CASES_PER_SEED; i++) {
				const mutation = MUTATIONS[i % MUTATIONS.length];
				corpus.push({ seed, mutation, bytes: mutate(seed, mutation, random) });
			}
		}
	});
	afterAll(() => {
		process.off('unhandledRejection', onUnhandled);
	});

	test('at least 2,000 mutated files through preprocessing: no crash, no hang, no unhandled rejection, only clear errors', async () => {
		expect(corpus.length).toBeGreaterThanOrEqual(2000);
		const counts = { inputs: 0, decoded: 0, refused: 0, timeouts: 0, unclassifiedErrors: 0, crashes: 0 };
		const byMutation = new Map<string, { decoded: number; refused: number }>();
		const byCode = new Map<string, number>();
		const slowest = { ms: 0, what: '' };
		const unclassified: string[] = [];
		const target = new Float32Array(3 * SPEC.size * SPEC.size);
		const started = Date.now();
		for (const [i, item] of corpus.entries()) {
			counts.inputs++;
			const stats = byMutation.get(item.mutation) ?? { decoded: 0, refused: 0 };
			byMutation.set(item.mutation, stats);
			const t0 = Date.now();
			const outcome = await withTimeout(
				preprocessImage(item.bytes, SPEC, { resampling: RESAMPLINGS[i % RESAMPLINGS.length], limits: { maxPixels: DEFAULT_MAX_PIXELS } }, target).then(
					() => 'ok' as const,
					(error: unknown) => error,
				),
				PER_ITEM_TIMEOUT_MS,
			);
			const ms = Date.now() - t0;
			if (ms > slowest.ms) Object.assign(slowest, { ms, what: `${item.seed.name} / ${item.mutation}` });
			if (outcome === 'timeout') counts.timeouts++;
			else if (outcome === 'ok') {
				counts.decoded++;
				stats.decoded++;
				for (let k = 0; k < target.length; k += 997) if (!Number.isFinite(target[k])) throw new Error(`non-finite model input for ${item.seed.name} / ${item.mutation}`);
			} else if (outcome instanceof EngineError) {
				counts.refused++;
				stats.refused++;
				byCode.set(outcome.code, (byCode.get(outcome.code) ?? 0) + 1);
				expect(outcome.message.length).toBeGreaterThan(10);
			} else {
				counts.unclassifiedErrors++;
				if (unclassified.length < 10) unclassified.push(`${item.seed.name} / ${item.mutation}: ${String(outcome)}`);
			}
		}
		const seconds = (Date.now() - started) / 1000;
		process.stdout.write(
			`\n[fuzz] ${counts.inputs} mutated inputs in ${seconds.toFixed(1)} s: ${counts.decoded} decoded, ${counts.refused} refused ` +
				`(${[...byCode].map(([c, n]) => `${c} ${n}`).join(', ')}), ${counts.timeouts} hangs, ${counts.unclassifiedErrors} unclear errors, ` +
				`${unhandled.length} unhandled rejections, ${counts.crashes} crashes; slowest ${slowest.ms} ms (${slowest.what})\n` +
				[...byMutation].map(([m, s]) => `[fuzz]   ${m.padEnd(17)} ${String(s.decoded).padStart(4)} decoded ${String(s.refused).padStart(4)} refused`).join('\n') +
				'\n',
		);
		expect(unclassified).toEqual([]);
		expect(counts.timeouts).toBe(0);
		expect(unhandled).toEqual([]);
		// Both outcomes occur: the mutations are neither all harmless nor all fatal.
		expect(counts.decoded).toBeGreaterThan(100);
		expect(counts.refused).toBeGreaterThan(100);
	});

	test('a sample of the corpus through classifyImages in batches: every item gets a result or its own error', async () => {
		const model = await ClipModel.load(testModelPaths().hf.dir);
		try {
			const sample = corpus.filter((_, i) => i % 8 === 0);
			const good = await encode(patternPixels(120, 90, 1)).png().toBuffer();
			const requests = sample.flatMap((item) => [
				{ image: item.bytes, classes: ['cat', 'dog'] },
				{ image: good, classes: ['cat', 'dog'] },
			]);
			const results = await withTimeout(classifyImages(model, requests, { batchSize: 16 }), 120_000);
			expect(results).not.toBe('timeout');
			const list = results as Awaited<ReturnType<typeof classifyImages>>;
			expect(list).toHaveLength(requests.length);
			const goodResults = list.filter((_, i) => i % 2 === 1);
			for (const r of goodResults) expect(r).not.toBeInstanceOf(Error);
			const first = goodResults[0] as { probabilities: number[] };
			for (const r of goodResults) (r as { probabilities: number[] }).probabilities.forEach((p, k) => expect(p).toBeCloseTo(first.probabilities[k], 5));
			for (const r of list.filter((_, i) => i % 2 === 0)) if (r instanceof Error) expect(r).toBeInstanceOf(EngineError);
			process.stdout.write(`[fuzz] classifyImages: ${sample.length} mutated + ${sample.length} good items, ${list.filter((r) => r instanceof Error).length} per-item errors, all good items classified\n`);
			expect(unhandled).toEqual([]);
		} finally {
			await model.release();
		}
	});
});
