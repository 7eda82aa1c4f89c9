import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../fixtures/compiledSources';

export interface DocumentationFile {
	/** Relative to the repository root, with forward slashes (what a failure message names). */
	readonly path: string;
	readonly absolutePath: string;
	readonly lines: readonly string[];
}

/** The pages the docs specifications cover: the README and every page in docs/. */
export function documentationFiles(): DocumentationFile[] {
	const paths = ['README.md', ...readdirSync(join(REPO_ROOT, 'docs')).filter((name) => name.endsWith('.md')).sort().map((name) => `docs/${name}`)];
	return paths.map((path) => {
		const absolutePath = join(REPO_ROOT, path);
		return { path, absolutePath, lines: readFileSync(absolutePath, 'utf8').split('\n') };
	});
}
