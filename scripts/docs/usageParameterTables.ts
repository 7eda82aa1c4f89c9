import { join } from 'node:path';
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { nodeProperties } from '../../nodes/ZeroShotImageClassification/actions/nodeProperties';
import { DOCS_BASE_URL } from '../../nodes/ZeroShotImageClassification/shared/docsLinks';
import { parameterTable } from './parameterTables';

/** The page the parameter tables live in. */
export const USAGE_PAGE = join(__dirname, '..', '..', 'docs', 'usage.md');

/** The node's operations, as its Operation parameter lists them. */
export function nodeOperations(properties: readonly INodeProperties[] = nodeProperties): string[] {
	const selector = properties.find((property) => property.name === 'operation');
	return ((selector?.options ?? []) as INodePropertyOptions[]).map((option) => String(option.value));
}

/** One parameter table per operation, keyed by the operation's value (the marker name in docs/usage.md). */
export function usageParameterTables(properties: readonly INodeProperties[] = nodeProperties): Record<string, string> {
	return Object.fromEntries(nodeOperations(properties).map((operation) => [operation, parameterTable(operation, properties, { docsBaseUrl: DOCS_BASE_URL, page: 'usage.md' })]));
}
