/** How `npm run docs` finds, replaces and checks the generated regions of a Markdown page. */
import { GeneratedRegionError, replaceGeneratedRegions, staleGeneratedRegions } from '../../scripts/docs/generatedRegions';

const page = [
	'# Usage',
	'',
	'Written by hand.',
	'<!-- BEGIN GENERATED PARAMETERS: classify -->',
	'old classify table',
	'<!-- END GENERATED PARAMETERS: classify -->',
	'',
	'Between the regions, by hand too.',
	'<!-- BEGIN GENERATED PARAMETERS: embedText -->',
	'<!-- END GENERATED PARAMETERS: embedText -->',
	'The end.',
	'',
].join('\n');

const tables = { classify: '| new | classify |', embedText: '| new | embedText |' };

test('replacing puts each table between its own markers and keeps every hand-written line', () => {
	expect(replaceGeneratedRegions(page, tables)).toBe(
		[
			'# Usage',
			'',
			'Written by hand.',
			'<!-- BEGIN GENERATED PARAMETERS: classify -->',
			'',
			'| new | classify |',
			'',
			'<!-- END GENERATED PARAMETERS: classify -->',
			'',
			'Between the regions, by hand too.',
			'<!-- BEGIN GENERATED PARAMETERS: embedText -->',
			'',
			'| new | embedText |',
			'',
			'<!-- END GENERATED PARAMETERS: embedText -->',
			'The end.',
			'',
		].join('\n'),
	);
});

test('replacing twice gives the same page as replacing once', () => {
	const once = replaceGeneratedRegions(page, tables);
	expect(replaceGeneratedRegions(once, tables)).toBe(once);
});

test('regions not named are left as they are', () => {
	expect(replaceGeneratedRegions(page, { embedText: tables.embedText })).toContain('old classify table');
});

test('the check names the operations whose committed table differs', () => {
	const updated = replaceGeneratedRegions(page, tables);
	expect(staleGeneratedRegions(page, tables)).toEqual(['classify', 'embedText']);
	expect(staleGeneratedRegions(updated, tables)).toEqual([]);
	expect(staleGeneratedRegions(updated, { ...tables, embedText: '| changed |' })).toEqual(['embedText']);
});

test('a missing marker is an error naming the operation and the missing line', () => {
	const withoutEnd = page.replace('<!-- END GENERATED PARAMETERS: embedText -->\n', '');
	for (const attempt of [() => staleGeneratedRegions(withoutEnd, tables), () => replaceGeneratedRegions(withoutEnd, tables)]) {
		expect(attempt).toThrow(GeneratedRegionError);
		expect(attempt).toThrow('"embedText" have no place: the page lacks the line <!-- END GENERATED PARAMETERS: embedText -->');
	}
	expect(() => staleGeneratedRegions(page, { embedImage: 'x' })).toThrow(/"embedImage".*BEGIN GENERATED PARAMETERS: embedImage --> and <!-- END/);
});

test('markers out of order or repeated are errors naming the operation', () => {
	const reversed = '<!-- END GENERATED PARAMETERS: classify -->\n<!-- BEGIN GENERATED PARAMETERS: classify -->\n';
	expect(() => staleGeneratedRegions(reversed, { classify: 'x' })).toThrow('the END marker of "classify" comes before its BEGIN marker');
	const twice = `${page}\n<!-- BEGIN GENERATED PARAMETERS: classify -->\n<!-- END GENERATED PARAMETERS: classify -->\n`;
	expect(() => replaceGeneratedRegions(twice, tables)).toThrow('the markers of "classify" appear more than once');
});

test('a marker is recognised only as a whole line, not quoted inside a sentence', () => {
	const quoted = 'Put `<!-- BEGIN GENERATED PARAMETERS: classify -->` on a line.\n';
	expect(() => staleGeneratedRegions(quoted, { classify: 'x' })).toThrow(GeneratedRegionError);
});
