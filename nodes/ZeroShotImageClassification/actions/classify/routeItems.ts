import type { INodeExecutionData } from 'n8n-workflow';

/** One input item's outcome: its output item, and the classes it matched (none: unmatched) or its failure. */
export type ItemOutcome = { readonly item: INodeExecutionData; readonly matches: readonly number[] } | { readonly item: INodeExecutionData; readonly failed: true };

/**
 * One Branch per Class: output c holds the items that matched class c (a multi-label item leaves
 * on several, each copy with its own JSON object and the same pairedItem); unmatched items go to
 * the last output ("Other") or are dropped. Failed items (under "Continue") go to "Other", or to
 * the first output when unmatched items are discarded, as n8n's Text Classifier does; under
 * "Continue (using error output)" n8n then moves them to the error output. Input order is kept.
 */
export function routeItems(outcomes: readonly ItemOutcome[], classCount: number, other: boolean): INodeExecutionData[][] {
	const outputs: INodeExecutionData[][] = Array.from({ length: classCount + (other ? 1 : 0) }, () => []);
	const otherOutput = other ? outputs[classCount] : undefined;
	for (const outcome of outcomes) {
		if ('failed' in outcome) {
			(otherOutput ?? outputs[0]).push(outcome.item);
			continue;
		}
		if (outcome.matches.length === 0) {
			otherOutput?.push(outcome.item);
			continue;
		}
		outcome.matches.forEach((c, k) => outputs[c].push(k === 0 ? outcome.item : { ...outcome.item, json: { ...outcome.item.json } }));
	}
	return outputs;
}
