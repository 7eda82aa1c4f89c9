import type { FencedBlock } from './fencedBlocks';

/** Languages whose blocks are commands a reader may paste into a shell. */
export const SHELL_LANGUAGES: ReadonlySet<string> = new Set(['sh', 'bash', 'shell', 'zsh', 'console']);

/**
 * The two marks. The info string says it to the tests; the quote line above says it to a reader,
 * since GitHub does not render anything of an info string after the language.
 */
export const MARKS = {
	/** Run by `npm test` (test/docs/runnableShellBlocks.test.ts) against the tiny test models. */
	runnable: { attribute: 'runnable', quote: '▶ Run by the docs tests' },
	/** Run by `npm run test:e2e` (test/e2e/docsShellBlocks.e2e.test.ts) against a real n8n with the examples active. */
	n8n: { attribute: 'n8n', quote: '▶ Run by the e2e tests against a real n8n' },
	notRun: { attribute: 'not-run', quote: 'Not run by the docs tests:' },
} as const;

export type ShellBlockMark = keyof typeof MARKS;

export function isShellBlock(block: FencedBlock): boolean {
	return SHELL_LANGUAGES.has(block.language.toLowerCase());
}

/** How a shell block is marked, or why its mark is not valid. */
export function shellBlockMark(block: FencedBlock): { mark: ShellBlockMark } | { problem: string } {
	const marked = (Object.keys(MARKS) as ShellBlockMark[]).filter((mark) => block.attributes.includes(MARKS[mark].attribute));
	if (marked.length !== 1) {
		const names = Object.values(MARKS).map((m) => `"${m.attribute}"`).join(', ');
		return { problem: `the info string "${block.info}" must end in exactly one of ${names}` };
	}
	const [mark] = marked;
	const { quote } = MARKS[mark];
	if (!block.quoteAbove.startsWith(quote)) {
		return { problem: `a ${MARKS[mark].attribute} block needs the quote line "> ${quote}${mark === 'notRun' ? ' <why>' : ' …'}" right above it` };
	}
	if (mark === 'notRun' && block.quoteAbove.slice(quote.length).trim() === '') {
		return { problem: `the quote line above a ${MARKS.notRun.attribute} block must say why it is not run` };
	}
	return { mark };
}

/** A shell block validly marked `mark`. */
export function hasMark(block: FencedBlock, mark: ShellBlockMark): boolean {
	if (!isShellBlock(block)) return false;
	const result = shellBlockMark(block);
	return 'mark' in result && result.mark === mark;
}

/** A shell block validly marked runnable: the docs tests run it. */
export function isRunnableBlock(block: FencedBlock): boolean {
	return hasMark(block, 'runnable');
}
