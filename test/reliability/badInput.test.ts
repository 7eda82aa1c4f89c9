/**
 * The bad-input matrix through the engine (`classifyImages`) and the CLI (`runClassifyCommand`):
 * every row gives a correct result or a clear per-item error, nothing crashes or hangs, and the
 * other items of the same execution are still classified, with the results they get alone.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runClassifyCommand } from '../../cli/classifyCommand';
import type { CommandIO } from '../../cli/commandIO';
import { classifyImages, ClipModel, DEFAULT_PROMPT_TEMPLATE, sharedModelRegistry, type Classification, type ClassificationRequest, type ClassifyOptions } from '../../engine';
import { testModelPaths } from '../fixtures/testModels';
import { patternPng } from './hostileImages';
import { CLASS_ROWS, expectSamePixels, IMAGE_ROWS, INTERNATIONAL_CLASSES, LONG_CLASS, THOUSAND_CLASSES, type ImageRow } from './inputMatrix';

const CLASSES = ['cat', 'dog', 'car'];
/** No row may take longer than this, however hostile. */
const ROW_TIMEOUT_MS = 30_000;

let inputsTried = 0;

function expectClassification(result: Classification | Error | undefined, classes: readonly string[]): Classification {
	if (result instanceof Error) throw new Error(`expected a classification, got the error: ${result.message}`);
	expect(result).toBeDefined();
	const r = result as Classification;
	expect(r.classes).toEqual(classes);
	expect(r.probabilities).toHaveLength(classes.length);
	for (const p of r.probabilities) expect(Number.isFinite(p) && p >= 0 && p <= 1).toBe(true);
	expect(r.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
	const best = r.probabilities.indexOf(Math.max(...r.probabilities));
	expect(r.label).toBe(classes[best]);
	expect(r.score).toBe(r.probabilities[best]);
	return r;
}

function expectSameProbabilities(a: Classification, b: Classification, digits = 5): void {
	expect(a.probabilities).toHaveLength(b.probabilities.length);
	a.probabilities.forEach((p, i) => expect(p).toBeCloseTo(b.probabilities[i], digits));
}

describe('bad input matrix through the engine', () => {
	const paths = testModelPaths();
	let model: ClipModel;
	let goodA: Buffer;
	let goodB: Buffer;
	let aloneA: Classification;
	let aloneB: Classification;

	async function classify(requests: ClassificationRequest[], options: ClassifyOptions = {}) {
		const pixels = new Map<number, Float32Array>();
		inputsTried += requests.length;
		const results = await classifyImages(model, requests, { ...options, onPixels: (i, p) => pixels.set(i, Float32Array.from(p)) });
		return { results, pixels };
	}

	async function pixelsOf(image: Buffer): Promise<{ pixels: Float32Array; result: Classification }> {
		const { results, pixels } = await classify([{ image, classes: CLASSES }]);
		return { pixels: pixels.get(0) as Float32Array, result: expectClassification(results[0], CLASSES) };
	}

	beforeAll(async () => {
		model = await ClipModel.load(paths.hf.dir);
		goodA = await patternPng(320, 240, 1);
		goodB = await patternPng(200, 300, 2);
		aloneA = (await pixelsOf(goodA)).result;
		aloneB = (await pixelsOf(goodB)).result;
	});
	afterAll(async () => {
		await model?.release();
		process.stdout.write(`[bad input] engine: ${inputsTried} inputs tried, 0 crashes\n`);
	});

	async function checkRow(row: ImageRow, result: Classification | Error | undefined, pixels: Float32Array | undefined): Promise<void> {
		const { outcome } = row;
		if ('error' in outcome) {
			expect(result).toBeInstanceOf(Error);
			expect((result as Error).message).toMatch(outcome.error);
			return;
		}
		expectClassification(result, CLASSES);
		expect(pixels).toBeDefined();
		if ('sameAs' in outcome) {
			const reference = await pixelsOf(await outcome.sameAs());
			expectSamePixels(pixels as Float32Array, reference.pixels);
			expectSameProbabilities(result as Classification, reference.result);
		} else if (outcome.check) {
			outcome.check(pixels as Float32Array, outcome.reference ? (await pixelsOf(await outcome.reference())).pixels : undefined);
		}
	}

	test.each(IMAGE_ROWS.map((row) => [row.name, row] as const))(
		'%s',
		async (_, row) => {
			const started = Date.now();
			const bytes = await row.bytes();
			// The row sits between two good images, in a batch with one of them.
			const { results, pixels } = await classify(
				[
					{ image: goodA, classes: CLASSES },
					{ image: bytes, classes: CLASSES },
					{ image: goodB, classes: CLASSES },
				],
				{ batchSize: 2, maxPixels: row.maxPixels },
			);
			expectSameProbabilities(expectClassification(results[0], CLASSES), aloneA);
			expectSameProbabilities(expectClassification(results[2], CLASSES), aloneB);
			await checkRow(row, results[1], pixels.get(1));
			expect(Date.now() - started).toBeLessThan(ROW_TIMEOUT_MS);
		},
		ROW_TIMEOUT_MS * 2,
	);

	test('the decompression bomb is refused from its header: no gigabytes allocated, in well under a second', async () => {
		const bomb = await (IMAGE_ROWS.find((r) => r.file === 'bomb.png') as ImageRow).bytes();
		expect(bomb.length).toBeLessThan(2000);
		const rssBefore = process.memoryUsage().rss;
		const started = Date.now();
		const { results } = await classify([{ image: bomb, classes: CLASSES }]);
		expect(Date.now() - started).toBeLessThan(1000);
		expect((results[0] as Error & { code?: string }).code).toBe('IMAGE_TOO_LARGE');
		expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100e6);
	});

	test('an image loader that fails (the binary is gone) is a per-item error', async () => {
		const { results } = await classify([
			{ image: goodA, classes: CLASSES },
			{ image: async () => Promise.reject(new Error('binary data not found')), classes: CLASSES },
			{ image: goodB, classes: CLASSES },
		]);
		expectSameProbabilities(expectClassification(results[0], CLASSES), aloneA);
		expect((results[1] as Error).message).toBe('binary data not found');
		expectSameProbabilities(expectClassification(results[2], CLASSES), aloneB);
	});

	test('every row in one execution: each gets its own outcome, every good image is classified', async () => {
		const requests: ClassificationRequest[] = [];
		const expected: Array<ImageRow | 'A' | 'B'> = [];
		for (const row of IMAGE_ROWS.filter((r) => r.maxPixels === undefined)) {
			requests.push({ image: await row.bytes(), classes: CLASSES }, { image: goodB, classes: CLASSES });
			expected.push(row, 'B');
		}
		requests.unshift({ image: goodA, classes: CLASSES });
		expected.unshift('A');
		const { results, pixels } = await classify(requests, { batchSize: 5 });
		expect(results).toHaveLength(requests.length);
		for (let i = 0; i < results.length; i++) {
			const what = expected[i];
			if (what === 'A') expectSameProbabilities(expectClassification(results[i], CLASSES), aloneA);
			else if (what === 'B') expectSameProbabilities(expectClassification(results[i], CLASSES), aloneB);
			else await checkRow(what, results[i], pixels.get(i));
		}
	}, 120_000);

	describe('class lists', () => {
		test.each(CLASS_ROWS.map((row) => [row.name, row] as const))('%s', async (_, row) => {
			const { results } = await classify(
				[
					{ image: goodA, classes: CLASSES },
					{ image: goodB, classes: row.classes },
					{ image: goodB, classes: CLASSES },
				],
				{ template: row.template },
			);
			// The neighbours, with the row's template, get what they get alone with it.
			const neighbours = await classify(
				[
					{ image: goodA, classes: CLASSES },
					{ image: goodB, classes: CLASSES },
				],
				{ template: row.template },
			);
			expectSameProbabilities(expectClassification(results[0], CLASSES), neighbours.results[0] as Classification);
			expectSameProbabilities(expectClassification(results[2], CLASSES), neighbours.results[1] as Classification);
			if ('error' in row.outcome) {
				expect(results[1]).toBeInstanceOf(Error);
				expect((results[1] as Error).message).toMatch(row.outcome.error);
			} else {
				expectClassification(results[1], row.classes);
			}
		});

		test('a single class gets probability 1', async () => {
			const { results } = await classify([{ image: goodA, classes: ['cat'] }]);
			expect(expectClassification(results[0], ['cat'])).toMatchObject({ probabilities: [1], label: 'cat', score: 1 });
		});

		test('1,000 classes: the same softmax as a subset (probability ratios agree)', async () => {
			const subset = [THOUSAND_CLASSES[3], THOUSAND_CLASSES[500], THOUSAND_CLASSES[999]];
			const { results } = await classify([
				{ image: goodA, classes: THOUSAND_CLASSES },
				{ image: goodA, classes: subset },
			]);
			const all = expectClassification(results[0], THOUSAND_CLASSES);
			const few = expectClassification(results[1], subset);
			expect(all.probabilities[3] / all.probabilities[500]).toBeCloseTo(few.probabilities[0] / few.probabilities[1], 6);
			expect(all.probabilities[999] / all.probabilities[500]).toBeCloseTo(few.probabilities[2] / few.probabilities[1], 6);
		});

		test('a class longer than the context length is truncated keeping the end-of-text token', async () => {
			const ids = model.tokenize(DEFAULT_PROMPT_TEMPLATE.replace('{}', LONG_CLASS));
			expect(ids).toHaveLength(paths.manifest.dims.contextLength);
			expect(ids[ids.length - 1]).toBe(paths.manifest.clipTokenizer.endOfTextId);
			const { results } = await classify([{ image: goodA, classes: [LONG_CLASS, 'dog'] }]);
			expectClassification(results[0], [LONG_CLASS, 'dog']);
		});

		test('emoji, CJK and right-to-left classes come back exactly as given, each with its own embedding', async () => {
			const { results } = await classify([{ image: goodA, classes: INTERNATIONAL_CLASSES }]);
			const r = expectClassification(results[0], INTERNATIONAL_CLASSES);
			expect(new Set(r.probabilities).size).toBeGreaterThan(1);
		});

		test('a template without {} gets the class appended, the same as "<template> {}"', async () => {
			const { results } = await classify([{ image: goodA, classes: CLASSES }], { template: 'a photo of a' });
			const { results: braces } = await classify([{ image: goodA, classes: CLASSES }], { template: 'a photo of a {}' });
			expect((results[0] as Classification).probabilities).toEqual((braces[0] as Classification).probabilities);
		});
	});
});

interface CliRun {
	code: number;
	stdout: string;
	stderr: string;
	document?: { results: Array<{ file: string; error?: string; probabilities?: number[]; label?: string }> };
}

async function cli(args: string[]): Promise<CliRun> {
	let stdout = '';
	let stderr = '';
	const io: CommandIO = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, isTTY: false };
	const code = await runClassifyCommand(args, io);
	let document;
	try {
		document = JSON.parse(stdout);
	} catch {
		// usage errors print nothing on stdout
	}
	return { code, stdout, stderr, document };
}

describe('bad input matrix through the CLI', () => {
	const paths = testModelPaths();
	let dir: string;
	let good: string;
	let alone: number[];
	let cliInputs = 0;
	const base = () => ['--model', paths.hf.dir, '--offline'];

	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), 'zsic-bad-input-'));
		good = join(dir, 'good.png');
		writeFileSync(good, await patternPng(320, 240, 1));
		const run = await cli([...base(), '--class', 'cat,dog,car', good]);
		expect(run.code).toBe(0);
		alone = run.document?.results[0].probabilities as number[];
	});
	afterAll(async () => {
		rmSync(dir, { recursive: true, force: true });
		await sharedModelRegistry.clear();
		process.stdout.write(`[bad input] CLI: ${cliInputs} inputs tried, 0 crashes\n`);
	});

	test.each(IMAGE_ROWS.filter((r) => r.maxPixels === undefined).map((row) => [row.name, row] as const))(
		'%s',
		async (_, row) => {
			const file = join(dir, row.file);
			writeFileSync(file, await row.bytes());
			const run = await cli([...base(), '--class', 'cat,dog,car', good, file, good]);
			cliInputs += 3;
			const results = run.document?.results ?? [];
			expect(results.map((r) => r.file)).toEqual([good, file, good]);
			for (const i of [0, 2]) results[i].probabilities?.forEach((p, k) => expect(p).toBeCloseTo(alone[k], 5));
			if ('error' in row.outcome) {
				expect(run.code).toBe(1);
				expect(results[1].error).toMatch(row.outcome.error);
			} else {
				expect(run.code).toBe(0);
				expect(results[1].probabilities).toHaveLength(3);
			}
		},
		ROW_TIMEOUT_MS * 2,
	);

	test('a file that does not exist is a per-file error naming it', async () => {
		const missing = join(dir, 'not-there.jpg');
		const run = await cli([...base(), '--class', 'cat,dog', good, missing]);
		cliInputs += 2;
		expect(run.code).toBe(1);
		expect(run.document?.results[0].probabilities).toHaveLength(2);
		expect(run.document?.results[1].error).toMatch(/ENOENT.*not-there\.jpg/);
	});

	describe('class lists', () => {
		test.each(CLASS_ROWS.map((row) => [row.name, row] as const))('%s', async (_, row) => {
			const classArgs = (Array.isArray(row.text) ? row.text : [row.text]).flatMap((c) => ['--class', c]);
			const template = row.template === undefined ? [] : ['--template', row.template];
			const run = await cli([...base(), ...classArgs, ...template, good]);
			cliInputs += 1;
			if ('error' in row.outcome) {
				// One class list for the whole command: a usage error before any model work.
				expect(run.code).toBe(2);
				expect(run.stderr).toMatch(row.outcome.error);
			} else {
				expect(run.code).toBe(0);
				const [result] = run.document?.results ?? [];
				expect(result.probabilities?.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
			}
		});

		test('no --class at all is a usage error', async () => {
			const run = await cli([...base(), good]);
			expect(run.code).toBe(2);
			expect(run.stderr).toMatch(/the class list is empty/);
		});
	});
});
