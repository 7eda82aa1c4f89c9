import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testImage } from '../fixtures/testImages';
import { testModelPaths } from '../fixtures/testModels';
import { runCli } from './cliHarness';

interface ClassifyDocument {
	model: string;
	classes: string[];
	template: string;
	threshold?: number;
	multiLabel?: boolean;
	results: Array<{ file: string; probabilities?: number[]; label?: string; score?: number; scoring?: string; labels?: string[]; matched?: boolean; error?: string }>;
}

describe('clip-classify classify', () => {
	const model = testModelPaths().hf.dir;
	const dir = mkdtempSync(join(tmpdir(), 'zsic-cli-'));
	let good: string[];

	beforeAll(async () => {
		good = [join(dir, 'stripes.png'), join(dir, 'blobs.jpg')];
		writeFileSync(good[0], await testImage('stripes'));
		writeFileSync(good[1], await testImage('blobs', 'jpeg'));
		writeFileSync(join(dir, 'broken.jpg'), 'this is text, not a JPEG');
	});

	test('prints one JSON document with a result per file and exits 0 when all were classified', async () => {
		const run = await runCli(['classify', '--model', model, '--class', 'cat', '--class', 'dog,car', '--template', '{}', ...good]);
		expect(run.code).toBe(0);
		const doc = JSON.parse(run.stdout) as ClassifyDocument;
		expect(doc).toMatchObject({ model, classes: ['cat', 'dog', 'car'], template: '{}' });
		expect(doc.results.map((r) => r.file)).toEqual(good);
		for (const r of doc.results) {
			expect(r.probabilities).toHaveLength(3);
			expect(r.probabilities?.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
			expect(r.label).toBe(doc.classes[(r.probabilities as number[]).indexOf(r.score as number)]);
		}
	});

	test('reports a failed file in its slot and exits 1, the others still classified', async () => {
		const run = await runCli(['classify', '--model', model, '--class', 'cat', '--class', 'dog', good[0], join(dir, 'broken.jpg'), join(dir, 'missing.png')]);
		expect(run.code).toBe(1);
		const doc = JSON.parse(run.stdout) as ClassifyDocument;
		expect(doc.results[0].label).toBeDefined();
		expect(doc.results[1].error).toContain('not a readable image');
		expect(doc.results[2].error).toContain('ENOENT');
	});

	test('exits 2 on usage errors: no class, no file, bad batch size, unknown option', async () => {
		expect((await runCli(['classify', '--model', model, good[0]])).code).toBe(2);
		expect((await runCli(['classify', '--model', model, '--class', 'cat'])).code).toBe(2);
		expect((await runCli(['classify', '--model', model, '--class', 'cat', '--batch-size', '0', good[0]])).code).toBe(2);
		const unknown = await runCli(['classify', '--nope', good[0]]);
		expect(unknown.code).toBe(2);
		expect(unknown.stderr).toContain('Usage: clip-classify classify');
	});

	test('--threshold adds the labels that reached it and whether any did; without it the results are as before', async () => {
		const plain = JSON.parse((await runCli(['classify', '--model', model, '--class', 'cat,dog,car', ...good])).stdout) as ClassifyDocument;
		expect(plain.results[0].labels).toBeUndefined();
		expect(plain.results[0].scoring).toBe('softmax');
		const best = plain.results.map((r) => r.score as number);
		const threshold = (Math.min(...best) + Math.max(...best)) / 2;
		const run = await runCli(['classify', '--model', model, '--class', 'cat,dog,car', '--threshold', String(threshold), ...good]);
		expect(run.code).toBe(0);
		const doc = JSON.parse(run.stdout) as ClassifyDocument;
		expect(doc).toMatchObject({ threshold, multiLabel: false });
		doc.results.forEach((r, i) => {
			const passes = best[i] >= threshold;
			expect(r).toMatchObject({ label: plain.results[i].label, matched: passes, labels: passes ? [plain.results[i].label] : [] });
		});
	});

	test('--multi-label lists every class at or above the threshold, best first', async () => {
		const plain = JSON.parse((await runCli(['classify', '--model', model, '--class', 'cat,dog,car', good[0]])).stdout) as ClassifyDocument;
		const p = plain.results[0].probabilities as number[];
		const sorted = [...p].sort((a, b) => b - a);
		const threshold = (sorted[1] + sorted[2]) / 2;
		const doc = JSON.parse((await runCli(['classify', '--model', model, '--class', 'cat,dog,car', '--threshold', String(threshold), '--multi-label', good[0]])).stdout) as ClassifyDocument;
		const expected = ['cat', 'dog', 'car'].filter((_, c) => p[c] >= threshold).sort((a, b) => p[['cat', 'dog', 'car'].indexOf(b)] - p[['cat', 'dog', 'car'].indexOf(a)]);
		expect(expected).toHaveLength(2);
		expect(doc.results[0].labels).toEqual(expected);
	});

	test('--multi-label without --threshold, or a threshold outside 0..1, is a usage error', async () => {
		const noThreshold = await runCli(['classify', '--model', model, '--class', 'cat,dog', '--multi-label', good[0]]);
		expect(noThreshold.code).toBe(2);
		expect(noThreshold.stderr).toContain('--multi-label needs a threshold above 0');
		expect((await runCli(['classify', '--model', model, '--class', 'cat,dog', '--threshold', '2', good[0]])).code).toBe(2);
		expect((await runCli(['classify', '--model', model, '--class', 'cat,dog', '--threshold', 'high', good[0]])).code).toBe(2);
	});

	test('--ensemble imagenet80 averages each class over the 80 templates; an unknown ensemble is a usage error', async () => {
		const plain = JSON.parse((await runCli(['classify', '--model', model, '--class', 'cat,dog', good[0]])).stdout) as ClassifyDocument;
		const doc = JSON.parse((await runCli(['classify', '--model', model, '--class', 'cat,dog', '--ensemble', 'imagenet80', good[0]])).stdout) as ClassifyDocument;
		expect(doc.results[0].probabilities).not.toEqual(plain.results[0].probabilities);
		expect((await runCli(['classify', '--model', model, '--class', 'cat', '--ensemble', 'nope', good[0]])).code).toBe(2);
	});

	test('a missing model folder fails the run with a message naming it', async () => {
		const run = await runCli(['classify', '--model', join(dir, 'no-such-model'), '--class', 'cat', good[0]]);
		expect(run.code).toBe(1);
		expect(run.stderr).toContain('no-such-model');
	});

	test('--pixels-out writes each model input as little-endian float32 CHW', async () => {
		const out = join(dir, 'pixels');
		const run = await runCli(['classify', '--model', model, '--class', 'cat', '--pixels-out', out, good[0]]);
		expect(run.code).toBe(0);
		const bytes = readFileSync(join(out, 'stripes.png.f32'));
		expect(bytes.length).toBe(3 * 224 * 224 * 4);
		const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
		expect(values.every(Number.isFinite)).toBe(true);
	});

	test('classify --help explains the options and the output, and exits 0', async () => {
		const run = await runCli(['classify', '--help']);
		expect(run.code).toBe(0);
		expect(run.stdout).toContain('--pixels-out');
		expect(run.stdout).toContain('"scoring": "softmax" | "sigmoid"');
	});
});
