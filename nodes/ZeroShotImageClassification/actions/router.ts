import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import * as classify from './classify/classify.operation';
import * as embedImage from './embedImage/embedImage.operation';
import * as embedText from './embedText/embedText.operation';

/** One file per operation, each exporting its parameters (`description`) and its `execute`. */
const operations = { classify, embedImage, embedText } as const;

export type OperationName = keyof typeof operations;

export const operationDescriptions = operations;

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0, 'classify') as string;
	if (!Object.prototype.hasOwnProperty.call(operations, operation)) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);
	}
	return await operations[operation as OperationName].execute.call(this);
}
