import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { preProcessFile } from 'typescript';

/** The engine's public surfaces, as paths relative to the project root without extension. */
export const ENGINE_SURFACES = ['engine', 'engine/hub'] as const;

export interface SurfaceViolation {
	/** The importing file, relative to the project root. */
	readonly file: string;
	/** The module specifier as written. */
	readonly specifier: string;
}

/**
 * Every import, re-export, dynamic import() and require() in the .ts files under `folders` that
 * reaches a module of engine/ other than its two index files. TypeScript's own pre-processor finds
 * the specifiers, so no import form slips past a regular expression.
 */
export function importsPastSurfaces(root: string, folders: readonly string[]): SurfaceViolation[] {
	return folders.flatMap((folder) =>
		typeScriptFiles(join(root, folder)).flatMap((path) => {
			const { importedFiles } = preProcessFile(readFileSync(path, 'utf8'), true, true);
			return importedFiles
				.map(({ fileName }) => fileName)
				.filter((specifier) => specifier.startsWith('.') && reachesPastSurfaces(root, resolve(dirname(path), specifier)))
				.map((specifier) => ({ file: relative(root, path).split(sep).join('/'), specifier }));
		}),
	);
}

function reachesPastSurfaces(root: string, target: string): boolean {
	const module = relative(root, target)
		.split(sep)
		.join('/')
		.replace(/\.(ts|js)$/, '')
		.replace(/\/index$/, '');
	const insideEngine = module === 'engine' || module.startsWith('engine/');
	return insideEngine && !(ENGINE_SURFACES as readonly string[]).includes(module);
}

function typeScriptFiles(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) return typeScriptFiles(path);
		return entry.name.endsWith('.ts') ? [path] : [];
	});
}
