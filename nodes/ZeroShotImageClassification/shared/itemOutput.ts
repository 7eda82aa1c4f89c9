import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import type { Classification } from '../../../engine';

/**
 * The classification as it appears on the item's JSON. `matched` (the labels that reached the
 * confidence threshold, best first) is shown when a threshold, multi-label or routing is in use.
 */
export function classificationJson(result: Classification, topK: number, matched?: readonly string[]): IDataObject {
	const json: IDataObject = {
		probabilities: result.probabilities,
		classes: result.classes,
		label: result.label,
		score: result.score,
		scoring: result.scoring,
	};
	if (matched) {
		json.labels = [...matched];
		json.matched = matched.length > 0;
	}
	if (topK > 0) {
		json.top = result.classes
			.map((label, i) => ({ label, score: result.probabilities[i] }))
			.sort((a, b) => b.score - a.score)
			.slice(0, topK);
	}
	return json;
}

/** The batched form: one list entry per image, classes once. */
export function batchedClassificationJson(results: readonly Classification[], topK: number, matched?: ReadonlyArray<readonly string[]>): IDataObject {
	const each = results.map((r, i) => classificationJson(r, topK, matched?.[i]));
	const json: IDataObject = {
		probabilities: each.map((e) => e.probabilities as number[]),
		classes: results[0]?.classes ?? [],
		label: each.map((e) => e.label as string),
		score: each.map((e) => e.score as number),
		scoring: results[0]?.scoring,
	};
	if (matched) {
		json.labels = each.map((e) => e.labels as string[]);
		json.matched = each.map((e) => e.matched as boolean);
	}
	if (topK > 0) json.top = each.map((e) => e.top as IDataObject[]);
	return json;
}

/** The input item with the results added (at the root or under `outputField`), binary untouched. */
export function outputItem(input: INodeExecutionData, index: number, results: IDataObject, outputField: string): INodeExecutionData {
	const json = outputField ? { ...input.json, [outputField]: results } : { ...input.json, ...results };
	const item: INodeExecutionData = { json, pairedItem: { item: index } };
	if (input.binary) item.binary = input.binary;
	return item;
}
