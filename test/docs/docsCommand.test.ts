/** `npm run docs` and `npm run docs -- --check` on a copy of the usage page. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docsCommand } from '../../scripts/docs/docsCommand';
import { beginMarker, endMarker } from '../../scripts/docs/generatedRegions';

const folder = mkdtempSync(join(tmpdir(), 'zsic-docs-'));
const page = join(folder, 'usage.md');
const markers = (names: string[]) => names.map((name) => `## ${name}\n\n${beginMarker(name)}\n${endMarker(name)}\n`).join('\n');

let errors: string[];
beforeEach(() => {
	errors = [];
	jest.spyOn(console, 'log').mockImplementation(() => undefined);
	jest.spyOn(console, 'error').mockImplementation((message: string) => void errors.push(message));
});
afterEach(() => jest.restoreAllMocks());
afterAll(() => rmSync(folder, { recursive: true, force: true }));

test('--check fails, naming every operation, while the tables are not written; the write makes it pass', () => {
	writeFileSync(page, `# Usage\n\n${markers(['classify', 'embedImage', 'embedText'])}`);
	expect(docsCommand(['--check', '--page', page])).toBe(1);
	expect(errors.join('\n')).toMatch(/the parameter tables of classify, embedImage, embedText differ from the node's description/);
	expect(docsCommand(['--page', page])).toBe(0);
	expect(readFileSync(page, 'utf8')).toContain('| **Model** `model` |');
	expect(docsCommand(['--check', '--page', page])).toBe(0);
});

test('--check names the one operation whose table was edited by hand', () => {
	writeFileSync(page, `# Usage\n\n${markers(['classify', 'embedImage', 'embedText'])}`);
	docsCommand(['--page', page]);
	writeFileSync(page, readFileSync(page, 'utf8').replace('| **Text** `text` |', '| **The text** `text` |'));
	expect(docsCommand(['--check', '--page', page])).toBe(1);
	expect(errors.join('\n')).toMatch(/the parameter tables of embedText differ/);
});

test('a page without an operation’s markers is refused, naming the operation, and left unwritten', () => {
	const without = `# Usage\n\n${markers(['classify', 'embedText'])}`;
	writeFileSync(page, without);
	expect(docsCommand(['--page', page])).toBe(1);
	expect(errors.join('\n')).toMatch(/"embedImage" have no place/);
	expect(readFileSync(page, 'utf8')).toBe(without);
});
