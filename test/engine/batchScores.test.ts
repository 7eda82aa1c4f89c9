import { batchProbabilities, packClasses } from '../../engine/scoring/batchScores';
import { classProbabilities, l2NormalizeInPlace } from '../../engine/scoring/embeddingMath';

function randomUnit(dim: number, seed: number): Float32Array {
	let s = seed;
	const v = new Float32Array(dim);
	for (let i = 0; i < dim; i++) {
		s = (s * 1103515245 + 12345) % 2147483648;
		v[i] = s / 2147483648 - 0.5;
	}
	return l2NormalizeInPlace(v);
}

describe('batched scoring', () => {
	test('scoring images together gives bit-identical probabilities to scoring them one by one', () => {
		// 7 images: one full group of four and a short group of three.
		const images = Array.from({ length: 7 }, (_, i) => randomUnit(48, i + 1));
		const classes = Array.from({ length: 5 }, (_, c) => randomUnit(48, 100 + c));
		const together = batchProbabilities(images, packClasses(classes), { kind: 'softmax', scale: 100 });
		images.forEach((image, i) => expect(together[i]).toEqual(classProbabilities(image, classes, 100).probabilities));
	});

	test('towers of different sizes are refused instead of scoring a partial dot product', () => {
		expect(() => batchProbabilities([randomUnit(8, 1)], packClasses([randomUnit(4, 2)]), { kind: 'softmax', scale: 100 })).toThrow(
			'the text embeddings have 4 dimensions and the image embeddings 8: the two towers are not from the same model',
		);
	});
});

describe('sigmoid scoring', () => {
	test('each class scores sigmoid(scale × cosine + bias) on its own', () => {
		const image = new Float32Array([1, 0]);
		const classes = packClasses([new Float32Array([1, 0]), new Float32Array([0.6, 0.8]), new Float32Array([0, 1])]);
		const [scores] = batchProbabilities([image], classes, { kind: 'sigmoid', scale: 10, bias: -5 });
		// Cosines 1, 0.6, 0: logits 5, 1, -5.
		const hand = [5, 1, -5].map((logit) => 1 / (1 + Math.exp(-logit)));
		scores.forEach((score, c) => expect(score).toBeCloseTo(hand[c], 6));
		expect(scores.reduce((a, b) => a + b, 0)).not.toBeCloseTo(1, 2);
	});
});
