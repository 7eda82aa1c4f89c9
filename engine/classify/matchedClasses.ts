import { EngineError } from '../errors';

export interface MatchRule {
	/** Lowest score that counts as a match; 0 matches the best class always. */
	readonly threshold: number;
	/** Every class at or above the threshold matches, not only the best one. */
	readonly multiLabel: boolean;
}

export function checkedMatchRule(threshold: number | undefined, multiLabel: boolean | undefined): MatchRule {
	const t = threshold ?? 0;
	if (!Number.isFinite(t) || t < 0 || t > 1) throw new EngineError('CLASS_LIST', `the threshold must be a number from 0 to 1, got ${threshold}`);
	if (multiLabel && t === 0) {
		// At 0 every class of every image would match: surely not what was meant.
		throw new EngineError('CLASS_LIST', 'multi-label needs a threshold above 0', 'Set a confidence threshold, e.g. 0.3 for softmax (CLIP) scores or 0.1 for sigmoid (SigLIP) scores, and tune it on your own images.');
	}
	return { threshold: t, multiLabel: multiLabel ?? false };
}

/**
 * The indices of the classes an image matches, best first: the best class when its score reaches
 * the threshold (single-label), or every class that does (multi-label). Empty: no class matched.
 */
export function matchedClasses(scores: readonly number[], rule: MatchRule): number[] {
	const order = scores.map((_, c) => c).sort((a, b) => scores[b] - scores[a] || a - b);
	const passing = order.filter((c) => scores[c] >= rule.threshold);
	return rule.multiLabel ? passing : passing.slice(0, 1);
}
