/** The parameter tables committed in docs/usage.md are the ones the node's description generates. */
import { readFileSync } from 'node:fs';
import { staleGeneratedRegions } from '../../scripts/docs/generatedRegions';
import { nodeOperations, USAGE_PAGE, usageParameterTables } from '../../scripts/docs/usageParameterTables';

const tables = usageParameterTables();

describe.each(nodeOperations())('docs/usage.md, operation %s', (operation) => {
	test('has its generated parameter table, identical to what `npm run docs` writes', () => {
		const page = readFileSync(USAGE_PAGE, 'utf8');
		// Throws, naming the operation, when its marker pair is missing.
		const stale = staleGeneratedRegions(page, { [operation]: tables[operation] });
		expect(stale).toEqual([]);
	});
});

test('every operation of the node has a table', () => {
	expect(Object.keys(tables)).toEqual(['classify', 'embedImage', 'embedText']);
});
