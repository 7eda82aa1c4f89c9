import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';

import { EngineError, errorMessage } from '../errors';

/**
 * Extensions of the formats the image pipeline decodes (imageFormat.ts). Files are picked by
 * extension as torchvision's ImageFolder does, so that a README or a .DS_Store beside the
 * examples is skipped with a note instead of failing the run; a file named like an image that
 * does not decode is an error naming it.
 */
const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.jpe', '.jfif', '.png', '.gif', '.webp', '.tif', '.tiff', '.avif']);

export interface ExampleClassFiles {
	/** The subfolder's name, as the class appears in results. */
	readonly label: string;
	/** Absolute paths of its example images, sorted by name. */
	readonly files: readonly string[];
}

export interface ExampleFolder {
	readonly folder: string;
	/** One per subfolder, sorted by label (ImageFolder's order). */
	readonly classes: readonly ExampleClassFiles[];
	/** What was skipped and why, for the output. */
	readonly notes: readonly string[];
}

export function isExampleImageName(name: string): boolean {
	return IMAGE_EXTENSIONS.has(extname(name).toLowerCase());
}

/**
 * Reads an examples folder laid out as ImageFolder reads one: `<folder>/<label>/<image>`. Files
 * directly in the folder, non-image files and nested folders are skipped with a note; a class
 * without any image is an error naming its subfolder.
 */
export async function readExampleFolder(folder: string): Promise<ExampleFolder> {
	const entries = await readdir(folder, { withFileTypes: true }).catch((error: unknown) => {
		throw new EngineError('CLASS_LIST', `the examples folder ${folder} cannot be read (${errorMessage(error)})`, 'Give a folder holding one subfolder per class, the example images inside.');
	});
	const notes: string[] = [];
	const classes: ExampleClassFiles[] = [];
	for (const entry of [...entries].sort((a, b) => compareNames(a.name, b.name))) {
		if (entry.name.startsWith('.')) continue;
		const path = join(folder, entry.name);
		if (!(await isDirectory(path, entry.isDirectory(), entry.isSymbolicLink()))) {
			notes.push(`${path}: ignored (not in a class subfolder)`);
			continue;
		}
		const files: string[] = [];
		for (const inner of (await readdir(path, { withFileTypes: true })).sort((a, b) => compareNames(a.name, b.name))) {
			if (inner.name.startsWith('.')) continue;
			const file = join(path, inner.name);
			if (inner.isDirectory()) notes.push(`${file}: ignored (a folder inside a class folder)`);
			else if (!isExampleImageName(inner.name)) notes.push(`${file}: ignored (not an image file name)`);
			else files.push(file);
		}
		if (files.length === 0) {
			throw new EngineError('CLASS_LIST', `the class folder ${path} holds no example image`, `Put at least one image (${[...IMAGE_EXTENSIONS].join(', ')}) into it, or remove the folder.`);
		}
		classes.push({ label: entry.name, files });
	}
	if (classes.length === 0) {
		throw new EngineError('CLASS_LIST', `the examples folder ${folder} has no class subfolder`, 'Lay it out as <folder>/<class name>/<images>: one subfolder per class, named by its label.');
	}
	return { folder, classes, notes };
}

/** Code-point order, locale-independent, so that every machine reads the classes in the same order. */
function compareNames(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

async function isDirectory(path: string, directory: boolean, symbolicLink: boolean): Promise<boolean> {
	if (directory) return true;
	if (!symbolicLink) return false;
	return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}
