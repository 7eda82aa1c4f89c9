import { fencedBlocks, linesInFencedBlocks } from './fencedBlocks';

/** A link or image of a markdown page. */
export interface MarkdownLink {
	/** 1-based line it is on. */
	readonly line: number;
	/** What is in the parentheses (or after a reference definition's colon). */
	readonly target: string;
	readonly isImage: boolean;
}

/** `[text](target "title")` and `![alt](target)`; the text may hold one level of brackets. */
const INLINE_LINK = /(!?)\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g;
/** `[label]: target` */
const REFERENCE_DEFINITION = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/;

/** The page's text with code spans blanked out: a `[x](y)` inside backticks is not a link. */
function withoutCodeSpans(line: string): string {
	return line.replace(/(`+)[^`]*?\1/g, (span) => ' '.repeat(span.length));
}

/** Every inline link, image and reference definition outside fenced blocks. */
export function markdownLinks(lines: readonly string[]): MarkdownLink[] {
	const skipped = linesInFencedBlocks(lines);
	const links: MarkdownLink[] = [];
	lines.forEach((raw, index) => {
		const line = index + 1;
		if (skipped.has(line)) return;
		const text = withoutCodeSpans(raw);
		const definition = REFERENCE_DEFINITION.exec(text);
		if (definition) links.push({ line, target: definition[1], isImage: false });
		for (const match of text.matchAll(INLINE_LINK)) links.push({ line, target: match[2], isImage: match[1] === '!' });
	});
	return links;
}

/** A target that leaves the repository (`https:`, `mailto:`…): not checked. */
export function isExternal(target: string): boolean {
	return /^[a-z][a-z0-9+.-]*:/i.test(target);
}

/**
 * GitHub's anchor for a heading: the rendered text lower-cased, every character that is not a
 * letter, a digit, a space, `-` or `_` dropped, spaces turned into `-`.
 */
export function githubSlug(heading: string): string {
	const rendered = heading
		.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
		.replace(/<[^>]+>/g, '')
		.replace(/[`*]/g, '');
	return rendered
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
		.replace(/ /g, '-');
}

/** The anchors of a page's headings, GitHub's `-1`, `-2`… added to repeated ones. */
export function headingAnchors(lines: readonly string[]): Set<string> {
	const skipped = new Set(fencedBlocks(lines).flatMap((block) => Array.from({ length: block.endLine - block.line + 1 }, (_, k) => block.line + k)));
	const anchors = new Set<string>();
	const seen = new Map<string, number>();
	lines.forEach((raw, index) => {
		if (skipped.has(index + 1)) return;
		const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(raw);
		if (!heading) return;
		const slug = githubSlug(heading[1]);
		const count = seen.get(slug) ?? 0;
		seen.set(slug, count + 1);
		anchors.add(count === 0 ? slug : `${slug}-${count}`);
	});
	return anchors;
}
