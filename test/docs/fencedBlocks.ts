/** A fenced code block of a markdown page. */
export interface FencedBlock {
	/** 1-based line of the opening fence. */
	readonly line: number;
	/** 1-based line of the closing fence (the page's last line when the block is never closed). */
	readonly endLine: number;
	/** The info string after the fence, e.g. `sh runnable`. */
	readonly info: string;
	/** Its first word (`sh`), empty when the fence has none. */
	readonly language: string;
	/** The words after the language (`runnable`). */
	readonly attributes: readonly string[];
	/** The block's text, the fence's own indentation removed (blocks inside list items). */
	readonly content: string;
	/**
	 * The blockquote that ends on the last non-blank line above the fence, its `>` markers
	 * removed and its lines joined by spaces; empty when there is none.
	 */
	readonly quoteAbove: string;
}

const FENCE = /^(\s*)(`{3,}|~{3,})(.*)$/;

/** The text of the blockquote whose last line is the last non-blank line before `index`. */
function quoteEndingAbove(lines: readonly string[], index: number): string {
	let i = index - 1;
	while (i >= 0 && lines[i].trim() === '') i--;
	const quoted: string[] = [];
	for (; i >= 0 && /^\s*>/.test(lines[i]); i--) quoted.unshift(lines[i].replace(/^\s*>\s?/, '').trim());
	return quoted.join(' ').trim();
}

/** Every fenced block of a page (CommonMark fences: three or more backticks or tildes). */
export function fencedBlocks(lines: readonly string[]): FencedBlock[] {
	const blocks: FencedBlock[] = [];
	for (let i = 0; i < lines.length; i++) {
		const open = FENCE.exec(lines[i]);
		if (!open) continue;
		const [, indent, fence, rawInfo] = open;
		const info = rawInfo.trim();
		const body: string[] = [];
		let j = i + 1;
		for (; j < lines.length; j++) {
			const close = FENCE.exec(lines[j]);
			if (close && close[2][0] === fence[0] && close[2].length >= fence.length && close[3].trim() === '') break;
			body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j].trimStart());
		}
		const [language = '', ...attributes] = info.split(/\s+/).filter((word) => word !== '');
		blocks.push({ line: i + 1, endLine: Math.min(j + 1, lines.length), info, language, attributes, content: body.join('\n'), quoteAbove: quoteEndingAbove(lines, i) });
		i = j;
	}
	return blocks;
}

/** Line numbers (1-based) that lie inside fenced blocks, fences included: no links are read there. */
export function linesInFencedBlocks(lines: readonly string[]): Set<number> {
	const inside = new Set<number>();
	for (const block of fencedBlocks(lines)) for (let line = block.line; line <= block.endLine; line++) inside.add(line);
	return inside;
}
