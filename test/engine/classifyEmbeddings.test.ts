/** classifyEmbeddings: stored image embeddings scored exactly as classifyImages scores the ones it computes. */
import { classifyEmbeddings, classifyImages, ClipModel, embedImages, EngineError, type Classification } from '../../engine';
import { testImage } from '../fixtures/testImages';
import { testModelPaths } from '../fixtures/testModels';

let clip: ClipModel;
let siglip: ClipModel;
beforeAll(async () => {
	clip = await ClipModel.load(testModelPaths().hf.dir);
	siglip = await ClipModel.load(testModelPaths().siglipHf.dir);
});
afterAll(async () => {
	await clip.release();
	await siglip.release();
});

const classes = ['cat', 'dog', 'car'];

describe.each([
	['CLIP (softmax)', () => clip],
	['SigLIP (sigmoid)', () => siglip],
])('classifyEmbeddings with %s', (_, model) => {
	test('gives bit for bit what classifyImages gives for the images the embeddings came from', async () => {
		const images = [await testImage('stripes'), await testImage('blobs', 'jpeg')];
		const embeddings = (await embedImages(model(), images)) as Float32Array[];
		const direct = await classifyImages(model(), images.map((image) => ({ image, classes })), { templates: ['a photo of a {}.', 'a {}.'] });
		const stored = await classifyEmbeddings(model(), embeddings.map((embedding) => ({ embedding, classes })), { templates: ['a photo of a {}.', 'a {}.'] });
		expect(stored).toEqual(direct);
	});

	test('a request with a wrong-length embedding fails alone', async () => {
		const [embedding] = (await embedImages(model(), [await testImage('checker')])) as Float32Array[];
		const results = await classifyEmbeddings(model(), [{ embedding: embedding.subarray(0, 7), classes }, { embedding, classes }]);
		expect(results[0]).toBeInstanceOf(EngineError);
		expect((results[0] as EngineError).code).toBe('EMBEDDING');
		expect((results[1] as Classification).classes).toEqual(classes);
	});
});
