/**
 * The regions of a Markdown page that a generator owns, between marker lines
 * `<!-- BEGIN GENERATED PARAMETERS: <name> -->` and `<!-- END GENERATED PARAMETERS: <name> -->`.
 * Everything outside them is written by hand and left as it is.
 */

export const beginMarker = (name: string): string => `<!-- BEGIN GENERATED PARAMETERS: ${name} -->`;
export const endMarker = (name: string): string => `<!-- END GENERATED PARAMETERS: ${name} -->`;

export class GeneratedRegionError extends Error {
	constructor(
		readonly region: string,
		message: string,
	) {
		super(message);
		this.name = 'GeneratedRegionError';
	}
}

interface Region {
	/** Index of the first character after the BEGIN line's newline. */
	readonly start: number;
	/** Index of the END line's first character. */
	readonly end: number;
}

function lineIndexes(markdown: string, line: string): number[] {
	const found: number[] = [];
	const lines = markdown.split('\n');
	let offset = 0;
	for (const text of lines) {
		if (text.trimEnd() === line) found.push(offset);
		offset += text.length + 1;
	}
	return found;
}

function region(markdown: string, name: string): Region {
	const begins = lineIndexes(markdown, beginMarker(name));
	const ends = lineIndexes(markdown, endMarker(name));
	if (begins.length === 0 || ends.length === 0) {
		const absent = [begins.length === 0 ? beginMarker(name) : undefined, ends.length === 0 ? endMarker(name) : undefined].filter(Boolean).join(' and ');
		throw new GeneratedRegionError(name, `the generated parameters of "${name}" have no place: the page lacks the line ${absent}`);
	}
	if (begins.length > 1 || ends.length > 1) throw new GeneratedRegionError(name, `the markers of "${name}" appear more than once`);
	if (ends[0] < begins[0]) throw new GeneratedRegionError(name, `the END marker of "${name}" comes before its BEGIN marker`);
	const start = markdown.indexOf('\n', begins[0]) + 1;
	return { start, end: ends[0] };
}

/** What the generator puts between the markers: the content, set off by blank lines so Markdown renders it. */
function regionBody(content: string): string {
	return `\n${content.trim()}\n\n`;
}

/** The page with every named region's content replaced; a missing or doubled marker is an error naming the region. */
export function replaceGeneratedRegions(markdown: string, contents: Readonly<Record<string, string>>): string {
	const regions = Object.keys(contents).map((name) => ({ name, ...region(markdown, name) }));
	let page = markdown;
	// From the last region back, so earlier offsets stay valid.
	for (const { name, start, end } of [...regions].sort((a, b) => b.start - a.start)) {
		page = page.slice(0, start) + regionBody(contents[name]) + page.slice(end);
	}
	return page;
}

/** The regions whose committed content differs from `contents` (in the order given); throws when a marker pair is missing. */
export function staleGeneratedRegions(markdown: string, contents: Readonly<Record<string, string>>): string[] {
	return Object.keys(contents).filter((name) => {
		const { start, end } = region(markdown, name);
		return markdown.slice(start, end) !== regionBody(contents[name]);
	});
}
