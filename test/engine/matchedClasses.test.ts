import { checkedMatchRule, matchedClasses } from '../../engine/classify/matchedClasses';

describe('matched classes', () => {
	test('threshold 0 matches the best class, whatever its score', () => {
		expect(matchedClasses([0.2, 0.5, 0.3], checkedMatchRule(0, false))).toEqual([1]);
	});

	test('single-label: the best class only when it reaches the threshold', () => {
		expect(matchedClasses([0.2, 0.5, 0.3], checkedMatchRule(0.5, false))).toEqual([1]);
		expect(matchedClasses([0.2, 0.5, 0.3], checkedMatchRule(0.6, false))).toEqual([]);
	});

	test('multi-label: every class at or above the threshold, best first', () => {
		expect(matchedClasses([0.45, 0.1, 0.45, 0.6], checkedMatchRule(0.4, true))).toEqual([3, 0, 2]);
		expect(matchedClasses([0.1, 0.2], checkedMatchRule(0.4, true))).toEqual([]);
	});

	test('multi-label without a threshold is refused: every class would match', () => {
		expect(() => checkedMatchRule(0, true)).toThrow('multi-label needs a threshold above 0');
	});

	test('a threshold outside 0..1 is refused', () => {
		expect(() => checkedMatchRule(1.5, false)).toThrow('the threshold must be a number from 0 to 1, got 1.5');
		expect(() => checkedMatchRule(Number.NaN, false)).toThrow('the threshold must be a number from 0 to 1');
	});
});
