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
	results: Array<{ file: string; probabilities?: number[]; label?: string; score?: number; error?: string }>;
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

	test('--help explains the commands and exits 0', async () => {
		const run = await runCli(['--help']);
		expect(run.code).toBe(0);
		expect(run.stdout).toContain('classify');
		expect(run.stdout).toContain('download');
		expect(run.stdout).toContain('--pixels-out');
	});
});
