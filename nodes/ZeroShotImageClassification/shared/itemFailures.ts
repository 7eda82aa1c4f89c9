import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { toNodeError } from './toNodeError';

/**
 * What a failed item becomes: with "Continue" on, the input item with `error` on its JSON (and its
 * binary kept); otherwise the error stops the node, naming the item.
 */
export function failedItem(context: IExecuteFunctions, index: number, error: Error): INodeExecutionData {
	const nodeError = toNodeError(context.getNode(), error, index);
	if (!context.continueOnFail()) throw nodeError;
	const input = context.getInputData()[index];
	const item: INodeExecutionData = { json: { ...input.json, error: nodeError.message }, pairedItem: { item: index } };
	// "Continue (using error output)": n8n moves an item to the error output only when it carries
	// `error` (its JSON keeps the input's fields, so n8n cannot tell from the JSON alone).
	if (context.getNode().onError === 'continueErrorOutput') item.error = nodeError;
	if (input.binary) item.binary = input.binary;
	return item;
}

/** Failures in item order, so that an error stops the node at the first bad item. */
export function sortedFailures(failures: ReadonlyMap<number, Error>): Array<[number, Error]> {
	return [...failures].sort((a, b) => a[0] - b[0]);
}
