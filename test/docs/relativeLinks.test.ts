import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { REPO_ROOT } from '../fixtures/compiledSources';
import { documentationFiles } from './documentationFiles';
import { githubSlug, headingAnchors, isExternal, markdownLinks } from './markdownLinks';

/** What is wrong with one link of a page, or undefined when it resolves. */
function problemWith(pageAbsolutePath: string, pageLines: readonly string[], target: string): string | undefined {
	const hash = target.indexOf('#');
	const pathPart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
	const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
	const file = pathPart === '' ? pageAbsolutePath : pathPart.startsWith('/') ? join(REPO_ROOT, pathPart) : join(dirname(pageAbsolutePath), pathPart);
	if (relative(REPO_ROOT, file).startsWith('..')) return `${pathPart} leaves the repository`;
	if (!existsSync(file)) return `${relative(REPO_ROOT, file)} does not exist`;
	if (anchor === undefined) return undefined;
	if (statSync(file).isDirectory() || !file.endsWith('.md')) return `#${anchor} points into ${relative(REPO_ROOT, file)}, which has no headings`;
	const lines = file === pageAbsolutePath ? pageLines : readFileSync(file, 'utf8').split('\n');
	return headingAnchors(lines).has(anchor) ? undefined : `${relative(REPO_ROOT, file)} has no heading with the anchor #${anchor}`;
}

describe('links and images in README.md and docs/', () => {
	const files = documentationFiles();

	test.each(files.map((file) => [file.path, file] as const))('every relative link and image in %s resolves, anchors included', (_path, file) => {
		const broken = markdownLinks(file.lines)
			.filter((link) => !isExternal(link.target))
			.map((link) => ({ link, problem: problemWith(file.absolutePath, file.lines, link.target) }))
			.filter((entry) => entry.problem !== undefined)
			.map(({ link, problem }) => `${file.path}:${link.line}: ${link.isImage ? 'image' : 'link'} (${link.target}): ${problem}`);
		expect(broken).toEqual([]);
	});

	test('the pages do link somewhere: the link reader finds the README’s links to docs/', () => {
		const readme = files.find((file) => file.path === 'README.md');
		const targets = markdownLinks(readme?.lines ?? []).map((link) => link.target);
		expect(targets).toEqual(expect.arrayContaining(['docs/usage.md', 'docs/images/image-triage-routed-workflow.png']));
	});
});

describe('GitHub heading anchors', () => {
	test('lower-case, punctuation dropped, spaces as hyphens, code and emphasis kept as text', () => {
		expect(githubSlug('Downloads: time limits, cancelling and progress')).toBe('downloads-time-limits-cancelling-and-progress');
		expect(githubSlug('`clip-classify download`: time limits, Ctrl-C and the progress bar')).toBe('clip-classify-download-time-limits-ctrl-c-and-the-progress-bar');
		expect(githubSlug('Performance (measured here, 2 shared cores)')).toBe('performance-measured-here-2-shared-cores');
		expect(githubSlug('**Bold** and N8N_ZSIC_SIMD')).toBe('bold-and-n8n_zsic_simd');
	});

	test('a repeated heading gets -1, -2 as on GitHub', () => {
		expect([...headingAnchors(['# Setup', '## Setup', '### Setup'])]).toEqual(['setup', 'setup-1', 'setup-2']);
	});

	test('a # line inside a fenced block is not a heading', () => {
		expect([...headingAnchors(['```sh not-run', '# a comment', '```', '## Real'])]).toEqual(['real']);
	});
});
