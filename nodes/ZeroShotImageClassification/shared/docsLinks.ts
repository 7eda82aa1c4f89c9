/**
 * Where the node's help links point: the docs/ pages of this very version, as the npm tarball ships
 * them (package.json "files"), served by unpkg. The package names no repository, so a versioned
 * tarball URL is the one address that exists for every published version and never shows the docs
 * of another version. Change the host here only: the codex (.node.json) and a specification check
 * that everything else links through this base.
 */
export const DOCS_BASE_URL = 'https://unpkg.com/n8n-nodes-zero-shot-image-classification@0.1.0/docs/';

/** The docs pages the node links to. */
export type DocsPage = 'usage.md' | 'models.md' | 'http-api.md';

/** A docs page (optionally a section of it) as a URL. */
export function docsUrl(page: DocsPage, section?: string): string {
	return `${DOCS_BASE_URL}${page}${section ? `#${section}` : ''}`;
}

/** "Docs: <link>", the closing sentence of a parameter description (n8n renders `<a href>` there). */
export function docsLink(label: string, page: DocsPage, section?: string): string {
	return `Docs: <a href="${docsUrl(page, section)}">${label}</a>`;
}
