import { classProbabilities, l2NormalizeInPlace, softmax } from '../../engine/scoring/embeddingMath';

describe('scoring', () => {
	test('softmax sums to one and is stable for large logits', () => {
		const p = softmax([1000, 1001, 999]);
		expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
		expect(p[1]).toBeGreaterThan(p[0]);
		expect(p.every(Number.isFinite)).toBe(true);
	});

	test('L2 normalization gives unit vectors and leaves zero vectors alone', () => {
		const v = l2NormalizeInPlace(new Float32Array([3, 4]));
		expect([v[0], v[1]]).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
		expect(Array.from(l2NormalizeInPlace(new Float32Array([0, 0])))).toEqual([0, 0]);
	});

	test('logits are the logit scale times the cosine, probabilities their softmax', () => {
		const image = new Float32Array([1, 0]);
		const texts = [new Float32Array([1, 0]), new Float32Array([0, 1])];
		const { logits, probabilities } = classProbabilities(image, texts, 100);
		expect(logits).toEqual([100, 0]);
		expect(probabilities[0]).toBeCloseTo(1, 12);
	});

	test('the logit scale sharpens: raw cosines (scale 1) give near-uniform probabilities', () => {
		const image = l2NormalizeInPlace(new Float32Array([1, 0.2]));
		const texts = [l2NormalizeInPlace(new Float32Array([1, 0.1])), l2NormalizeInPlace(new Float32Array([1, 0.5]))];
		const raw = classProbabilities(image, texts, 1).probabilities;
		const scaled = classProbabilities(image, texts, 100).probabilities;
		expect(Math.abs(raw[0] - raw[1])).toBeLessThan(0.02);
		expect(Math.abs(scaled[0] - scaled[1])).toBeGreaterThan(0.5);
	});
});
