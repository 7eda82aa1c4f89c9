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
		const together = batchProbabilities(images, packClasses(classes), 100);
		images.forEach((image, i) => expect(together[i]).toEqual(classProbabilities(image, classes, 100).probabilities));
	});

	test('towers of different sizes are refused instead of scoring a partial dot product', () => {
		expect(() => batchProbabilities([randomUnit(8, 1)], packClasses([randomUnit(4, 2)]), 100)).toThrow(
			'the text embeddings have 4 dimensions and the image embeddings 8: the two towers are not from the same model',
		);
	});
});
