/**
 * Where the node's help links point: the docs/ pages of this very version, as the npm tarball ships
 * them (package.json "files"), served by unpkg. The package names no repository, so a versioned
 * tarball URL is the one address that exists for every published version and never shows the docs
 * of another version. Change the host here only: the codex (.node.json) and a specification check
 * that everything else links through this base.
 */
export const DOCS_BASE_URL = 'https://unpkg.com/n8n-nodes-zero-shot-image-classification@0.1.0/docs/';

/**
 * The docs sections the node links, page and heading anchor, in one place: when a heading is
 * renamed, the specification that checks every link names the section to change here.
 */
export const DOCS_SECTIONS = {
	usage: 'usage.md',
	classify: 'usage.md#classify',
	routing: 'usage.md#routing-by-class',
	thresholds: 'usage.md#threshold-and-multi-label-without-routing',
	classDescriptions: 'usage.md#class-descriptions',
	promptEnsembles: 'usage.md#prompt-ensembles',
	siglipOptions: 'usage.md#siglip-options',
	embedImage: 'usage.md#embed-image',
	embedText: 'usage.md#embed-text',
	models: 'models.md',
	presets: 'models.md#presets-and-which-to-pick',
	localModels: 'models.md#local-folders-and-hugging-face-repos',
	siglip: 'models.md#siglip-and-siglip-2',
	modelsCache: 'models.md#the-models-cache',
	offline: 'models.md#offline-and-air-gapped-installs',
	httpApi: 'http-api.md',
	storedEmbeddings: 'stored-embeddings.md#classify-a-stored-embedding',
	imageCache: 'stored-embeddings.md#image-embedding-cache',
	examplesFolder: 'classes-from-examples.md#the-examples-folder',
	exampleRouting: 'classes-from-examples.md#routing-one-branch-per-class',
	textWeight: 'classes-from-examples.md#default-text-weight-0',
	exampleScores: 'classes-from-examples.md#how-the-classes-are-built-and-scored',
} as const;

export type DocsSection = keyof typeof DOCS_SECTIONS;

/** A docs section as a URL. */
export function docsUrl(section: DocsSection): string {
	return `${DOCS_BASE_URL}${DOCS_SECTIONS[section]}`;
}

/** "Docs: <link>", the closing sentence of a parameter description (n8n renders `<a href>` there). */
export function docsLink(label: string, section: DocsSection): string {
	return `Docs: <a href="${docsUrl(section)}">${label}</a>`;
}
