import { EngineError } from '../../engine/errors';
import { blendTextIntoPrototype, classPrototype } from '../../engine/scoring/classPrototype';

describe('a class defined by example embeddings', () => {
	test('its prototype is the L2-normalized mean of the examples, computed by hand', () => {
		// mean of (1,0,0) and (0,1,0) is (0.5,0.5,0); normalized: (1/√2, 1/√2, 0)
		const prototype = classPrototype('cat', [new Float32Array([1, 0, 0]), new Float32Array([0, 1, 0])]);
		expect(Array.from(prototype)).toEqual([Math.fround(Math.SQRT1_2), Math.fround(Math.SQRT1_2), 0].map((v) => expect.closeTo(v, 6)));
	});

	test('one example is its own prototype', () => {
		const prototype = classPrototype('dog', [new Float32Array([0.6, 0.8])]);
		expect(prototype[0]).toBeCloseTo(0.6, 6);
		expect(prototype[1]).toBeCloseTo(0.8, 6);
	});

	test('a class with no examples, or examples of different lengths, is an error naming the class', () => {
		expect(() => classPrototype('empty', [])).toThrow(/Class 'empty' has no example/);
		expect(() => classPrototype('mixed', [new Float32Array(2), new Float32Array(3)])).toThrow(EngineError);
		expect(() => classPrototype('mixed', [new Float32Array(2), new Float32Array(3)])).toThrow(/Example 2 of class 'mixed'/);
	});

	test('the text blend is normalize(w·text + (1−w)·prototype), computed by hand', () => {
		const prototype = new Float32Array([1, 0]);
		const text = new Float32Array([0, 1]);
		// w = 0.25: (0.75, 0.25) / √(0.625)
		const blended = blendTextIntoPrototype(prototype, text, 0.25);
		const norm = Math.sqrt(0.75 ** 2 + 0.25 ** 2);
		expect(blended[0]).toBeCloseTo(0.75 / norm, 6);
		expect(blended[1]).toBeCloseTo(0.25 / norm, 6);
	});

	test('weight 0 keeps the prototype, weight 1 gives the prompt; outside 0–1 is refused', () => {
		const prototype = new Float32Array([1, 0]);
		const text = new Float32Array([0, 1]);
		expect(Array.from(blendTextIntoPrototype(prototype, text, 0))).toEqual([1, 0]);
		expect(Array.from(blendTextIntoPrototype(prototype, text, 1))).toEqual([0, 1]);
		expect(() => blendTextIntoPrototype(prototype, text, 1.5)).toThrow(/between 0 and 1/);
		expect(() => blendTextIntoPrototype(prototype, new Float32Array(3), 0.5)).toThrow(/3 dimensions/);
	});
});
