import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { GeneratedRegionError, replaceGeneratedRegions, staleGeneratedRegions } from './generatedRegions';
import { USAGE_PAGE, usageParameterTables } from './usageParameterTables';

/**
 * `npm run docs`: writes the node's parameter tables into docs/usage.md. With `--check` it writes
 * nothing and fails, naming the operations, when the committed tables differ from the node's.
 * `--page <file>` works on another copy of the page. Returns the exit code.
 */
export function docsCommand(args: readonly string[]): number {
	const check = args.includes('--check');
	const pageAt = args.indexOf('--page');
	const page = pageAt >= 0 && args[pageAt + 1] ? args[pageAt + 1] : USAGE_PAGE;
	const shown = relative(process.cwd(), page) || page;
	let markdown: string;
	try {
		markdown = readFileSync(page, 'utf8');
	} catch (error) {
		console.error(`${shown} cannot be read: ${(error as Error).message}`);
		return 1;
	}
	const tables = usageParameterTables();
	try {
		if (check) {
			const stale = staleGeneratedRegions(markdown, tables);
			if (stale.length === 0) {
				console.log(`${shown}: the parameter tables of ${Object.keys(tables).join(', ')} match the node.`);
				return 0;
			}
			console.error(`${shown}: the parameter tables of ${stale.join(', ')} differ from the node's description. Run \`npm run docs\` and commit the result.`);
			return 1;
		}
		const updated = replaceGeneratedRegions(markdown, tables);
		if (updated !== markdown) writeFileSync(page, updated);
		console.log(`${shown}: ${updated === markdown ? 'already up to date' : 'parameter tables written'} (${Object.keys(tables).join(', ')}).`);
		return 0;
	} catch (error) {
		if (!(error instanceof GeneratedRegionError)) throw error;
		console.error(`${shown}: ${error.message}`);
		return 1;
	}
}
