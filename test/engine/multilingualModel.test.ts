import { classifyImages, ClipModel, type Classification } from '../../engine';
import { testImageSet } from '../fixtures/testImages';
import { testModelPaths } from '../fixtures/testModels';

describe('the multilingual OpenCLIP layout (XLM-RoBERTa SentencePiece tokenizer, text tower with an attention mask)', () => {
	const paths = testModelPaths();
	const xlm = paths.manifest.xlmTokenizer;
	let model: ClipModel;
	let images: Buffer[];

	beforeAll(async () => {
		model = await ClipModel.load(paths.immichMultilingual.dir);
		images = await testImageSet();
	});
	afterAll(() => model.release());

	test('tokenizes with <s> ... </s> and pads with the <pad> id from tokenizer_config.json', () => {
		const ids = model.tokenize('ein Foto einer Katze.');
		expect(ids[0]).toBe(xlm.bosId);
		expect(ids[ids.length - 1]).toBe(xlm.eosId);
		expect(ids).not.toContain(xlm.unkId);
		expect((model as unknown as { tokenizer: { padId: number } }).tokenizer.padId).toBe(xlm.padId);
	});

	test('truncation to the context length keeps </s>', () => {
		const ids = model.tokenize(Array.from({ length: 200 }, () => 'Katze').join(' '));
		expect(ids).toHaveLength(77);
		expect(ids[76]).toBe(xlm.eosId);
	});

	test.each([
		['German', ['Katze', 'Hund', 'Auto'], 'ein Foto von {}.'],
		['Japanese', ['猫', '犬', '車'], '{}の写真'],
	])('a %s class list goes through end to end', async (_language, classes, template) => {
		const results = await classifyImages(model, images.map((image) => ({ image, classes })), { template });
		for (const result of results as Classification[]) {
			expect(result).not.toBeInstanceOf(Error);
			expect(result.classes).toEqual(classes);
			expect(result.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
			expect(classes).toContain(result.label);
		}
		// Different classes must actually score differently (the text tower saw real tokens, not <unk>).
		const spread = (results as Classification[]).map((r) => Math.max(...r.probabilities) - Math.min(...r.probabilities));
		expect(Math.max(...spread)).toBeGreaterThan(0.01);
	});

});
