import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClipModel, embedImages } from '../../engine';
import { testImage } from '../fixtures/testImages';
import { testModelPaths } from '../fixtures/testModels';
import { runCli } from './cliHarness';

interface EmbedDocument {
	model: string;
	dimension: number;
	results: Array<{ text?: string; file?: string; embedding?: number[]; error?: string }>;
}

describe('clip-classify embed', () => {
	const model = testModelPaths().hf.dir;
	const dir = mkdtempSync(join(tmpdir(), 'zsic-embed-'));
	const image = join(dir, 'stripes.png');

	beforeAll(async () => {
		writeFileSync(image, await testImage('stripes'));
		writeFileSync(join(dir, 'broken.jpg'), 'not a JPEG');
	});

	test('prints the texts’ then the images’ normalized embeddings, each with its text or file, and the dimension', async () => {
		const run = await runCli(['embed', '--model', model, '--text', 'a red bicycle', '--text', 'a cat', image]);
		expect(run.code).toBe(0);
		const doc = JSON.parse(run.stdout) as EmbedDocument;
		expect(doc.results.map((r) => r.text ?? r.file)).toEqual(['a red bicycle', 'a cat', image]);
		const clip = await ClipModel.load(model);
		try {
			const texts = await clip.embedPrompts(['a red bicycle', 'a cat']);
			const [pixels] = (await embedImages(clip, [await testImage('stripes')])) as Float32Array[];
			const reference = [...texts, pixels];
			expect(doc.dimension).toBe(pixels.length);
			doc.results.forEach((r, i) => {
				expect(r.embedding).toHaveLength(doc.dimension);
				r.embedding?.forEach((v, k) => expect(v).toBeCloseTo(reference[i][k], 6));
			});
		} finally {
			await clip.release();
		}
	});

	test('a file that cannot be read is reported in its slot and exits 1', async () => {
		const run = await runCli(['embed', '--model', model, image, join(dir, 'broken.jpg')]);
		expect(run.code).toBe(1);
		const doc = JSON.parse(run.stdout) as EmbedDocument;
		expect(doc.results[0].embedding).toBeDefined();
		expect(doc.results[1].error).toContain('not a readable image');
	});

	test('nothing to embed, or an empty text, is a usage error', async () => {
		expect((await runCli(['embed', '--model', model])).code).toBe(2);
		expect((await runCli(['embed', '--model', model, '--text', ' '])).code).toBe(2);
	});
});
