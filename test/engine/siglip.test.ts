/**
 * SigLIP models in both public layouts, on the generated SigLIP-shaped towers: every rule is checked
 * against a computation made here by hand — the ONNX graphs run directly, the tokenizer called
 * directly — not through the engine's own code paths.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { classifyImages, ClipModel, embedImages, preprocessImage, sigmoid, type Classification } from '../../engine';
import { DEFAULT_MAX_PIXELS } from '../../engine/image/preprocessSpec';
import { DEFAULT_SIGLIP_LOGITS, SIGLIP_CONTEXT_LENGTH } from '../fixtures/generateTestModels';
import { testImage } from '../fixtures/testImages';
import { testModelPaths } from '../fixtures/testModels';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Tokenizer } = require('@huggingface/tokenizers') as { Tokenizer: new (json: object, config: object) => { encode(text: string): { ids: number[] } } };

const paths = testModelPaths();
const EOS = paths.manifest.siglip.tokenizer.eosId;
const CLASSES = ['cat', 'dog', 'car', 'beach'];

function normalized(values: ArrayLike<number>): Float32Array {
	const out = Float32Array.from(values);
	const norm = Math.hypot(...out);
	return out.map((v) => v / norm);
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
	let sum = 0;
	for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
	return sum;
}

function handTokenizer(folder: string): (text: string) => number[] {
	const tokenizer = new Tokenizer(JSON.parse(readFileSync(`${folder}/tokenizer.json`, 'utf8')), JSON.parse(readFileSync(`${folder}/tokenizer_config.json`, 'utf8')));
	return (text) => tokenizer.encode(text).ids;
}

/** Pads with </s> (SigLIP's pad token) to `length`. */
function padded(ids: readonly number[], length = SIGLIP_CONTEXT_LENGTH): number[] {
	return [...ids, ...new Array<number>(length - ids.length).fill(EOS)];
}

async function runText(modelPath: string, rows: readonly (readonly number[])[], input = 'input_ids', type: 'int64' | 'int32' = 'int64'): Promise<Float32Array[]> {
	const session = await ort.InferenceSession.create(modelPath);
	const length = rows[0].length;
	const flat = rows.flat();
	const tensor = type === 'int64' ? new ort.Tensor('int64', BigInt64Array.from(flat.map(BigInt)), [rows.length, length]) : new ort.Tensor('int32', Int32Array.from(flat), [rows.length, length]);
	const out = await session.run({ [input]: tensor });
	const result = out[session.outputNames.find((n) => n === 'pooler_output' || n === 'embedding') as string].data as Float32Array;
	await session.release();
	const dim = result.length / rows.length;
	return rows.map((_, r) => normalized(result.subarray(r * dim, (r + 1) * dim)));
}

async function modelPixels(model: ClipModel, image: Buffer): Promise<Float32Array> {
	const size = model.preprocess.size;
	const pixels = new Float32Array(3 * size * size);
	await preprocessImage(image, model.preprocess, { resampling: 'reference', limits: { maxPixels: DEFAULT_MAX_PIXELS } }, pixels);
	return pixels;
}

/** Four vertical bands (red, green, blue, white), 448 × 224: squashing keeps all four, a centre crop only the middle two. */
async function bandsImage(): Promise<Buffer> {
	const colours = [
		[255, 0, 0],
		[0, 255, 0],
		[0, 0, 255],
		[255, 255, 255],
	];
	const width = 448;
	const height = 224;
	const raw = Buffer.alloc(width * height * 3);
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) raw.set(colours[Math.floor(x / 112)], (y * width + x) * 3);
	}
	return sharp(raw, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

describe.each([
	['Hugging Face', paths.siglipHf.dir],
	['Immich', paths.siglipImmich.dir],
])('SigLIP, %s layout', (_layout, folder) => {
	let model: ClipModel;
	beforeAll(async () => {
		model = await ClipModel.load(folder);
	});
	afterAll(() => model.release());

	test('the folder is recognised as SigLIP: padded to max_length, canonicalized text', () => {
		expect(model.family).toBe('siglip');
		expect(model.descriptor.textRules).toEqual({ padToContextLength: true, normalization: 'canonicalize' });
		expect(model.descriptor.contextLength).toBe(SIGLIP_CONTEXT_LENGTH);
	});

	test('images are squashed whole to the square input (no centre crop) and normalized with mean = std = 0.5', async () => {
		expect(model.preprocess).toMatchObject({ size: 224, resizeMode: 'squash', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
		const pixels = await modelPixels(model, await bandsImage());
		const plane = 224 * 224;
		const at = (x: number, y: number): number[] => [0, 1, 2].map((c) => pixels[c * plane + y * 224 + x]);
		// Band centres after squashing 448 → 224 px wide: 28, 84, 140, 196. (v / 255 - 0.5) / 0.5 maps 255 → 1 and 0 → -1.
		expect(at(28, 100)).toEqual([1, -1, -1]);
		expect(at(84, 100)).toEqual([-1, 1, -1]);
		expect(at(140, 100)).toEqual([-1, -1, 1]);
		expect(at(196, 100)).toEqual([1, 1, 1]);
	});

	test('a prompt is padded to max_length with the pad token: the embedding is the tower’s output on the padded ids', async () => {
		const tokenize = handTokenizer(model.descriptor.tokenizer.replace(/\/tokenizer\.json$/, ''));
		const ids = tokenize('a photo of a cat');
		expect(ids[ids.length - 1]).toBe(EOS);
		expect(model.tokenize('a photo of a cat')).toEqual(ids);
		const textModel = model.descriptor.towers.kind === 'separate' ? model.descriptor.towers.text : '';
		const type = model.descriptor.layout === 'immich' ? 'int32' : 'int64';
		const input = model.descriptor.layout === 'immich' ? 'text' : 'input_ids';
		const [engine] = await model.embedPrompts(['a photo of a cat']);
		const [byHand] = await runText(textModel, [padded(ids)], input, type);
		expect(cosine(engine, byHand)).toBeCloseTo(1, 6);
		if (model.descriptor.layout === 'hf') {
			// The trap (open_clip #903): the same ids unpadded give another embedding.
			const [unpadded] = await runText(textModel, [ids]);
			expect(cosine(byHand, unpadded)).toBeLessThan(0.999);
		}
	});

	test('prompts are lower-cased and stripped of punctuation as SigLIP was trained (the fixture tokenizer is cased)', async () => {
		const tokenize = handTokenizer(model.descriptor.tokenizer.replace(/\/tokenizer\.json$/, ''));
		expect(tokenize('A Photo of a CAT!')).not.toEqual(tokenize('a photo of a cat'));
		expect(model.tokenize('A Photo of a CAT!')).toEqual(tokenize('a photo of a cat'));
		const [shouted, plain] = await model.embedPrompts(['A Photo of a CAT!', 'a photo of a cat']);
		expect(cosine(shouted, plain)).toBeCloseTo(1, 6);
	});

	test('an image embedding is the vision tower’s output on the model input, L2-normalized', async () => {
		const image = await testImage('blobs', 'jpeg');
		const [engine] = (await embedImages(model, [image])) as Float32Array[];
		const visionModel = model.descriptor.towers.kind === 'separate' ? model.descriptor.towers.vision : '';
		const session = await ort.InferenceSession.create(visionModel);
		const input = session.inputNames[0];
		const out = await session.run({ [input]: new ort.Tensor('float32', await modelPixels(model, image), [1, 3, 224, 224]) });
		const byHand = normalized(out[session.outputNames.find((n) => n === 'pooler_output' || n === 'embedding') as string].data as Float32Array);
		await session.release();
		expect(engine.length).toBe(paths.manifest.dims.embedDim);
		engine.forEach((v, i) => expect(v).toBeCloseTo(byHand[i], 5));
		expect(Math.hypot(...engine)).toBeCloseTo(1, 6);
	});
});

describe('SigLIP scores: sigmoid of scale × cosine + bias', () => {
	test('Hugging Face layout: scale and bias are read from the combined graph, and scores equal sigmoid(logits_per_image)', async () => {
		const model = await ClipModel.load(paths.siglipHf.dir);
		try {
			// The trap of transformers #38175: a scale or bias off by a little moves every score.
			expect(model.scoring).toEqual({ kind: 'sigmoid', scale: expect.closeTo(Math.exp(DEFAULT_SIGLIP_LOGITS.logitScale), 2), bias: expect.closeTo(DEFAULT_SIGLIP_LOGITS.logitBias, 2) });
			const image = await testImage('gradient', 'png');
			const [result] = (await classifyImages(model, [{ image, classes: CLASSES }])) as Classification[];
			const tokenize = handTokenizer(paths.siglipHf.dir);
			const session = await ort.InferenceSession.create(paths.siglipHf.combinedModel);
			const rows = CLASSES.map((c) => padded(tokenize(`a photo of a ${c}`)));
			const out = await session.run({
				input_ids: new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, SIGLIP_CONTEXT_LENGTH]),
				pixel_values: new ort.Tensor('float32', await modelPixels(model, image), [1, 3, 224, 224]),
			});
			await session.release();
			const byHand = Array.from(out.logits_per_image.data as Float32Array).map(sigmoid);
			result.probabilities.forEach((p, c) => expect(p).toBeCloseTo(byHand[c], 4));
			expect(result.scoring).toBe('sigmoid');
			expect(Math.abs(result.probabilities.reduce((a, b) => a + b, 0) - 1)).toBeGreaterThan(0.01);
		} finally {
			await model.release();
		}
	});

	test('Immich layout: without a scale and bias, classifying fails naming what is missing, and embeddings still work', async () => {
		const model = await ClipModel.load(paths.siglipImmich.dir);
		try {
			expect(model.scoring).toBeUndefined();
			const image = await testImage('stripes', 'png');
			await expect(classifyImages(model, [{ image, classes: CLASSES }])).rejects.toThrow(/SigLIP model that gives no logit scale and logit bias/);
			const [embedding] = await embedImages(model, [image]);
			expect(embedding).toBeInstanceOf(Float32Array);
		} finally {
			await model.release();
		}
	});

	test('Immich layout: with a scale and bias given (a preset’s or the user’s), scores are sigmoid(scale × cos + bias) by hand', async () => {
		const scale = 100;
		const bias = 13;
		const model = await ClipModel.load(paths.siglipImmich.dir, { logitScale: scale, logitBias: bias });
		try {
			expect(model.scoring).toEqual({ kind: 'sigmoid', scale, bias });
			const image = await testImage('checker', 'png');
			const [result] = (await classifyImages(model, [{ image, classes: CLASSES }])) as Classification[];
			const tokenize = handTokenizer(`${paths.siglipImmich.dir}/textual`);
			const texts = await runText(paths.siglipImmich.textualModel, CLASSES.map((c) => padded(tokenize(`a photo of a ${c}`))).slice(0, 1), 'text', 'int32');
			const rest = await Promise.all(CLASSES.slice(1).map(async (c) => (await runText(paths.siglipImmich.textualModel, [padded(tokenize(`a photo of a ${c}`))], 'text', 'int32'))[0]));
			const [img] = (await embedImages(model, [image])) as Float32Array[];
			const byHand = [...texts, ...rest].map((text) => sigmoid(scale * cosine(img, text) + bias));
			result.probabilities.forEach((p, c) => expect(p).toBeCloseTo(byHand[c], 5));
		} finally {
			await model.release();
		}
	});

	test('the caller’s logit bias overrides the model’s', async () => {
		const model = await ClipModel.load(paths.siglipHf.dir);
		try {
			const image = await testImage('noise', 'png');
			const [base] = (await classifyImages(model, [{ image, classes: CLASSES }])) as Classification[];
			const [shifted] = (await classifyImages(model, [{ image, classes: CLASSES }], { logitBias: (model.scoring as { bias: number }).bias - 2 })) as Classification[];
			const logit = (p: number): number => Math.log(p / (1 - p));
			shifted.probabilities.forEach((p, c) => expect(logit(p)).toBeCloseTo(logit(base.probabilities[c]) - 2, 3));
		} finally {
			await model.release();
		}
	});
});
