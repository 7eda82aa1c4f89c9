import { NodeOperationError, type INode } from 'n8n-workflow';
import { EngineError, errorMessage } from '../../../engine';

/** An engine or parameter error as n8n shows it: the item index in the message, the hint as description. */
export function toNodeError(node: INode, error: Error, itemIndex: number): NodeOperationError {
	if (error instanceof NodeOperationError) return error;
	const hint = error instanceof EngineError ? error.hint : undefined;
	return new NodeOperationError(node, `Item ${itemIndex}: ${errorMessage(error)}`, { itemIndex, description: hint });
}
