import { classifyImages, ClipModel, embedImages, PROMPT_ENSEMBLES, type Classification } from '../../engine';
import { classPrompts, promptSetKey } from '../../engine/text/classPrompts';
import { testImage } from '../fixtures/testImages';
import { testModelPaths } from '../fixtures/testModels';

let model: ClipModel;
beforeAll(async () => {
	model = await ClipModel.load(testModelPaths().hf.dir);
});
afterAll(() => model.release());

/** The hand computation: each prompt's embedding (already unit length), their mean, renormalized, in plain JS numbers. */
async function handEnsemble(prompts: string[]): Promise<number[]> {
	const rows = await model.embedPrompts(prompts);
	const mean = Array.from(rows[0], (_, i) => rows.reduce((sum, row) => sum + row[i], 0) / rows.length);
	const norm = Math.hypot(...mean);
	return mean.map((v) => v / norm);
}

describe('prompt ensembles', () => {
	test('the ImageNet ensemble holds the 80 templates of the CLIP notebook', () => {
		expect(PROMPT_ENSEMBLES.imagenet80).toHaveLength(80);
		expect(new Set(PROMPT_ENSEMBLES.imagenet80).size).toBe(80);
		expect(PROMPT_ENSEMBLES.imagenet80[0]).toBe('a bad photo of a {}.');
		expect(PROMPT_ENSEMBLES.imagenet80[79]).toBe('a tattoo of the {}.');
		expect(PROMPT_ENSEMBLES.imagenet80.every((t) => t.includes('{}'))).toBe(true);
	});

	test('a class embedding of an ensemble is the renormalized mean of its prompts’ normalized embeddings', async () => {
		const prompts = classPrompts('cat', ['a photo of a {}.', 'a drawing of a {}.', 'itap of my {}.']);
		expect(prompts).toEqual(['a photo of a cat.', 'a drawing of a cat.', 'itap of my cat.']);
		const [embedding] = await model.embedClasses([prompts]);
		const hand = await handEnsemble(prompts);
		expect(embedding.length).toBe(hand.length);
		embedding.forEach((v, i) => expect(v).toBeCloseTo(hand[i], 6));
		// Not just any one of the prompts: the mean differs from each.
		const [single] = await model.embedPrompts(['a photo of a cat.']);
		expect(Math.max(...embedding.map((v, i) => Math.abs(v - single[i])))).toBeGreaterThan(1e-3);
	});

	test('classification with an ensemble scores the image against the averaged class embeddings', async () => {
		const templates = ['a photo of a {}.', 'a painting of the {}.'];
		const image = await testImage('stripes', 'png');
		const [result] = (await classifyImages(model, [{ image, classes: ['cat', 'dog'] }], { templates })) as Classification[];
		const embeddings = await embedImages(model, [image]);
		const img = embeddings[0] as Float32Array;
		const logits = await Promise.all(
			['cat', 'dog'].map(async (label) => {
				const text = await handEnsemble(templates.map((t) => t.replace('{}', label)));
				return (model.logitScale as number) * text.reduce((sum, v, i) => sum + v * img[i], 0);
			}),
		);
		const max = Math.max(...logits);
		const exps = logits.map((l) => Math.exp(l - max));
		const hand = exps.map((e) => e / exps.reduce((a, b) => a + b, 0));
		result.probabilities.forEach((p, c) => expect(p).toBeCloseTo(hand[c], 5));
	});
});

describe('class descriptions', () => {
	test('a description is the prompt, verbatim, whatever the templates', () => {
		expect(classPrompts('receipt', ['a photo of a {}.', 'art of a {}.'], 'a photo of a paper shop receipt')).toEqual(['a photo of a paper shop receipt']);
	});

	test('a blank description falls back to the label through the templates', () => {
		expect(classPrompts('receipt', ['a photo of a {}.'], '  ')).toEqual(['a photo of a receipt.']);
	});

	test('a described class scores as its description’s prompt would, and keeps its label', async () => {
		const image = await testImage('blobs', 'png');
		const [described] = (await classifyImages(model, [{ image, classes: ['receipt', 'cat'], descriptions: ['a photo of a paper shop receipt', undefined] }])) as Classification[];
		// Without the description, the label 'receipt' would have gone through the template.
		const [plain] = (await classifyImages(model, [{ image, classes: ['receipt', 'cat'] }])) as Classification[];
		expect(described.classes).toEqual(['receipt', 'cat']);
		// 'cat' went through the default template, the description verbatim: compare with the same prompts given directly.
		const [direct] = (await classifyImages(model, [{ image, classes: ['a photo of a paper shop receipt', 'a photo of a cat.'] }], { template: '{}' })) as Classification[];
		described.probabilities.forEach((p, c) => expect(p).toBeCloseTo(direct.probabilities[c], 9));
		expect(plain.probabilities[0]).not.toBeCloseTo(direct.probabilities[0], 9);
	});

	test('descriptions that do not match the classes in number fail that request alone', async () => {
		const image = await testImage('blobs', 'png');
		const results = await classifyImages(model, [
			{ image, classes: ['a', 'b'], descriptions: ['only one'] },
			{ image, classes: ['a', 'b'] },
		]);
		expect((results[0] as Error).message).toBe('1 descriptions were given for 2 classes');
		expect((results[1] as Classification).label).toBeDefined();
	});
});

describe('text-embedding cache and ensembles', () => {
	test('a lone prompt is its own key; an ensemble is keyed by all its prompts in order', () => {
		expect(promptSetKey(['a photo of a cat.'])).toBe('a photo of a cat.');
		const ab = promptSetKey(['a photo of a cat.', 'art of a cat.']);
		expect(ab).not.toBe(promptSetKey(['art of a cat.', 'a photo of a cat.']));
		expect(ab).not.toBe(promptSetKey(['a photo of a cat.']));
		expect(ab).not.toBe('a photo of a cat.');
	});

	test('an ensemble is embedded once and then served from the cache, apart from the single prompt', async () => {
		const fresh = await ClipModel.load(testModelPaths().hf.dir);
		try {
			const ensemble = classPrompts('boat', PROMPT_ENSEMBLES.imagenet80);
			await fresh.embedClasses([ensemble]);
			expect(fresh.textInferenceCount).toBe(80);
			expect(fresh.textCacheSize).toBe(1);
			await fresh.embedClasses([ensemble]);
			expect(fresh.textInferenceCount).toBe(80);
			// The single prompt 'a photo of a boat.' is one of the 80 but not cached by the ensemble: it runs again.
			await fresh.embedClasses([['a photo of a boat.']]);
			expect(fresh.textInferenceCount).toBe(81);
			// A different ensemble of the same class is its own entry.
			await fresh.embedClasses([ensemble.slice(0, 2)]);
			expect(fresh.textInferenceCount).toBe(83);
			expect(fresh.textCacheSize).toBe(3);
		} finally {
			await fresh.release();
		}
	});
});
