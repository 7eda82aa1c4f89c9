/** The node's help links the docs pages of its own version, and every link lands on a page and heading that exist. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INodeProperties, INodePropertyCollection, INodePropertyOptions } from 'n8n-workflow';
import { nodeProperties } from '../../nodes/ZeroShotImageClassification/actions/nodeProperties';
import { DOCS_BASE_URL, docsUrl } from '../../nodes/ZeroShotImageClassification/shared/docsLinks';

const ROOT = join(__dirname, '..', '..');
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; files: string[] };
const codex = JSON.parse(readFileSync(join(ROOT, 'nodes/ZeroShotImageClassification/ZeroShotImageClassification.node.json'), 'utf8')) as {
	resources: { primaryDocumentation: Array<{ url: string }> };
};

type Described = INodeProperties | INodePropertyOptions | INodePropertyCollection;

/** Every parameter, choice and sub-field of the node, depth first. */
function everyEntry(entries: readonly Described[]): Described[] {
	return entries.flatMap((entry) => {
		const nested = 'values' in entry ? entry.values : 'options' in entry && Array.isArray(entry.options) ? (entry.options as Described[]) : [];
		return [entry, ...everyEntry(nested)];
	});
}

function links(text: string | undefined): string[] {
	return [...(text ?? '').matchAll(/<a href="([^"]+)"/g)].map((match) => match[1]);
}

const allLinks = [...new Set(everyEntry(nodeProperties).flatMap((entry) => [...links('description' in entry ? entry.description : undefined), ...links('hint' in entry ? entry.hint : undefined)]))];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchor(heading: string): string {
	return heading
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\s_-]/gu, '')
		.replace(/\s/g, '-');
}

function headingAnchors(page: string): string[] {
	return readFileSync(page, 'utf8')
		.split('\n')
		.filter((line) => /^#{1,6}\s/.test(line))
		.map((line) => anchor(line.replace(/^#+\s*/, '')));
}

test('the docs base URL is the docs/ folder of this package at this version', () => {
	expect(DOCS_BASE_URL).toBe(`https://unpkg.com/${packageJson.name}@${packageJson.version}/docs/`);
});

test('the npm package ships the docs/ folder the links point into', () => {
	expect(packageJson.files).toContain('docs');
});

test('the codex’s primary documentation is the usage page', () => {
	expect(codex.resources.primaryDocumentation).toEqual([{ url: docsUrl('usage') }]);
});

test('every top-level parameter’s description (or hint, where the field has one instead) links its docs page', () => {
	const withoutLink = nodeProperties.filter((property) => property.type !== 'notice' && links(property.description).length + links(property.hint).length === 0).map((property) => property.name);
	expect(withoutLink).toEqual([]);
});

test('every docs link of the node goes through the docs base URL', () => {
	expect(allLinks.filter((link) => !link.startsWith(DOCS_BASE_URL))).toEqual([]);
});

describe.each(allLinks.map((link) => [link.slice(DOCS_BASE_URL.length)]))('the link to %s', (target) => {
	const [page, section] = target.split('#');
	const file = join(ROOT, 'docs', page);

	test('names a page in docs/', () => {
		expect(existsSync(file)).toBe(true);
	});

	if (section !== undefined) {
		test('names a heading of that page', () => {
			expect(headingAnchors(file)).toContain(section);
		});
	}
});
