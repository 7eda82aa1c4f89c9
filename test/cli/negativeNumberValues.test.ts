import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testImage } from '../fixtures/testImages';
import { testModelPaths } from '../fixtures/testModels';
import { runCli } from './cliHarness';

interface ClassifyDocument {
	results: Array<{ file: string; probabilities?: number[]; scoring?: string; error?: string }>;
}

// Trained SigLIP biases are negative (about -10 to -17), so "--logit-bias -10" must work as written.
describe('clip-classify: negative numbers as option values', () => {
	const siglip = testModelPaths().siglipImmich.dir;
	const clip = testModelPaths().hf.dir;
	const dir = mkdtempSync(join(tmpdir(), 'zsic-cli-negative-'));
	const image = join(dir, 'stripes.png');

	beforeAll(async () => {
		writeFileSync(image, await testImage('stripes'));
	});

	const classifySiglip = async (...bias: string[]) => runCli(['classify', '--model', siglip, '--class', 'cat,dog', '--logit-scale', '10', ...bias, image]);

	test('--logit-bias -10 is the bias -10, the same as --logit-bias=-10', async () => {
		const spaced = await classifySiglip('--logit-bias', '-10');
		expect(spaced.stderr).toBe('');
		expect(spaced.code).toBe(0);
		const joined = JSON.parse((await classifySiglip('--logit-bias=-10')).stdout) as ClassifyDocument;
		const positive = JSON.parse((await classifySiglip('--logit-bias', '10')).stdout) as ClassifyDocument;
		const doc = JSON.parse(spaced.stdout) as ClassifyDocument;
		expect(doc.results[0].scoring).toBe('sigmoid');
		expect(doc.results[0].probabilities).toEqual(joined.results[0].probabilities);
		expect(doc.results[0].probabilities).not.toEqual(positive.results[0].probabilities);
	});

	test('decimal and exponent forms are accepted: -.5, -0.5, -5e-1, -1e1', async () => {
		const expected = JSON.parse((await classifySiglip('--logit-bias=-0.5')).stdout) as ClassifyDocument;
		for (const bias of ['-.5', '-0.5', '-5e-1']) {
			const run = await classifySiglip('--logit-bias', bias);
			expect({ bias, code: run.code }).toEqual({ bias, code: 0 });
			expect((JSON.parse(run.stdout) as ClassifyDocument).results[0].probabilities).toEqual(expected.results[0].probabilities);
		}
		expect((await classifySiglip('--logit-bias', '-1e1')).code).toBe(0);
	});

	test('a negative value reaches the option’s own check, which names the option', async () => {
		const cases: Array<[string[], string]> = [
			[['classify', '--model', clip, '--class', 'cat', '--logit-scale', '-5', image], '--logit-scale must be a positive number'],
			[['classify', '--model', clip, '--class', 'cat', '--threshold', '-0.5', image], '--threshold'],
			[['classify', '--model', clip, '--class', 'cat', '--batch-size', '-1', image], '--batch-size must be a positive integer'],
			[['classify', '--model', clip, '--class', 'cat', '--threads', '-2', image], '--threads must be a whole number'],
			[['embed', '--model', clip, '--batch-size', '-1', image], '--batch-size must be a positive integer'],
			[['embed', '--model', clip, '--threads', '-2', image], '--threads must be a whole number'],
		];
		for (const [argv, message] of cases) {
			const run = await runCli(argv);
			expect({ argv, code: run.code, ambiguous: run.stderr.includes('ambiguous') }).toEqual({ argv, code: 2, ambiguous: false });
			expect(run.stderr).toContain(message);
		}
	});

	test('an option where a value is expected is still refused', async () => {
		const run = await runCli(['classify', '--model', clip, '--class', 'cat', '--logit-bias', '--offline', image]);
		expect(run.code).toBe(2);
		expect(run.stderr).toContain("'--logit-bias' argument is ambiguous");
	});

	test('a dash value that is not a number is still refused', async () => {
		const run = await runCli(['classify', '--model', clip, '--class', 'cat', '--logit-bias', '-x', image]);
		expect(run.code).toBe(2);
		expect(run.stderr).toContain("'--logit-bias' argument is ambiguous");
	});

	test('an unknown option is still refused, with a negative number beside it', async () => {
		const run = await runCli(['classify', '--model', clip, '--class', 'cat', '--logit-bias', '-10', '--nope', '-3', image]);
		expect(run.code).toBe(2);
		expect(run.stderr).toContain("Unknown option '--nope'");
	});

	test('after "--" a negative number is a file name, not an option value', async () => {
		const run = await runCli(['classify', '--model', clip, '--class', 'cat', '--', '-10']);
		expect(run.code).toBe(1);
		const doc = JSON.parse(run.stdout) as ClassifyDocument;
		expect(doc.results.map((r) => r.file)).toEqual(['-10']);
		expect(doc.results[0].error).toContain('ENOENT');
	});
});
