import { decodeDataUrl } from '../../engine/image/decodeDataUrl';
import { fromFloat16Array, toFloat16Array, float32ToFloat16Bits } from '../../engine/onnx/float16';
import { parseClassList } from '../../engine/text/classList';
import { buildPrompt } from '../../engine/text/promptTemplate';
import { TextEmbeddingCache } from '../../engine/text/textEmbeddingCache';

describe('class lists', () => {
	test('a comma-separated string is split, trimmed, and empty entries dropped', () => {
		expect(parseClassList(' cat, dog ,, car ,')).toEqual(['cat', 'dog', 'car']);
	});
	test('an array from an expression is accepted as is (trimmed)', () => {
		expect(parseClassList([' a photo ', 'group, of people'])).toEqual(['a photo', 'group, of people']);
	});
	test('an empty or blank list is refused with a clear message', () => {
		expect(() => parseClassList(' , ,')).toThrow('the class list is empty');
		expect(() => parseClassList([])).toThrow('the class list is empty');
		expect(() => parseClassList(undefined)).toThrow('the class list is empty');
	});
	test('a duplicate class is refused, naming it', () => {
		expect(() => parseClassList('cat, dog, cat')).toThrow('the class "cat" appears twice');
	});
});

describe('prompt templates', () => {
	test('{} is replaced by the class name', () => {
		expect(buildPrompt('a photo of a {}.', 'cat')).toBe('a photo of a cat.');
	});
	test('{} alone gives the bare class name', () => {
		expect(buildPrompt('{}', 'cat')).toBe('cat');
	});
	test('a template without {} gets the class name appended', () => {
		expect(buildPrompt('a photo of', 'cat')).toBe('a photo of cat');
	});
});

describe('data URLs', () => {
	const png = Buffer.from('89504e470d0a1a0a', 'hex');
	test('decodes data:image/...;base64, URLs and bare base64', () => {
		expect(decodeDataUrl(`data:image/png;base64,${png.toString('base64')}`)).toEqual(png);
		expect(decodeDataUrl(png.toString('base64'))).toEqual(png);
	});
	test('refuses a malformed data URL, a non-image MIME type and non-base64 text', () => {
		expect(() => decodeDataUrl('data:image/png,notbase64')).toThrow('malformed data URL');
		expect(() => decodeDataUrl(`data:application/pdf;base64,${png.toString('base64')}`)).toThrow('holds application/pdf, not an image');
		expect(() => decodeDataUrl('hello world!')).toThrow('not valid base64');
		expect(() => decodeDataUrl(42)).toThrow('expected a base64 string or data URL, got number');
	});
});

describe('float16 conversion', () => {
	test('round-trips representable values and rounds to nearest even', () => {
		const values = new Float32Array([0, 1, -2, 0.5, 65504, 6.103515625e-5, 5.960464477539063e-8]);
		expect(Array.from(fromFloat16Array(toFloat16Array(values)))).toEqual(Array.from(values));
		expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie → even
		expect(float32ToFloat16Bits(1e6)).toBe(0x7c00); // overflow → infinity
	});
});

describe('TextEmbeddingCache', () => {
	test('evicts the least recently used entry beyond its limit', () => {
		const cache = new TextEmbeddingCache(2);
		cache.set('a', new Float32Array([1]));
		cache.set('b', new Float32Array([2]));
		cache.get('a');
		cache.set('c', new Float32Array([3]));
		expect(cache.get('b')).toBeUndefined();
		expect(cache.get('a')).toBeDefined();
		expect(cache.size).toBe(2);
	});
});
