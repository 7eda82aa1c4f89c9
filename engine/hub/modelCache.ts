import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { isSafeRepoFilePath } from './hubNames';
import type { ModelLayout } from './modelLayout';
import { MODEL_LAYOUTS } from './modelLayout';

/**
 * Cache layout (one folder per repo and revision, files at their repo paths so the folder
 * can be handed to the engine, copied to an offline machine, or pointed at as a local model):
 *
 *   <cacheDir>/<owner>--<name>/<revision>/<repo file paths…>
 *   <cacheDir>/<owner>--<name>/<revision>/<file>.incomplete   while downloading (never valid)
 *   <cacheDir>/<owner>--<name>/<revision>/.zsic-complete.json written last, per variant
 *   <cacheDir>/<owner>--<name>/<revision>.lock                 held while downloading
 *
 * The revision is URI-encoded (`refs/pr/1` → `refs%2Fpr%2F1`); the Hub forbids `--` in repo
 * names, so `<owner>--<name>` cannot collide.
 */
export const COMPLETE_MARKER_FILE = '.zsic-complete.json';

export interface CachedFileRecord {
	size: number;
	/** Known when this cache downloaded and hashed the file itself. */
	sha256?: string;
}

export interface CacheMarker {
	format: 1;
	repo: string;
	revision: string;
	/** The commit the files came from, when the Hub said. */
	commit?: string;
	layout: ModelLayout;
	files: Record<string, CachedFileRecord>;
	/** A variant is listed only once every one of its files is in place and verified. */
	variants: Record<string, { files: string[]; completedAt: string }>;
}

export function modelCacheFolder(cacheDir: string, repo: string, revision: string): string {
	return join(repoCacheFolder(cacheDir, repo), encodeURIComponent(revision));
}

export function modelLockPath(cacheDir: string, repo: string, revision: string): string {
	return `${modelCacheFolder(cacheDir, repo, revision)}.lock`;
}

function repoCacheFolder(cacheDir: string, repo: string): string {
	return join(cacheDir, repo.replace('/', '--'));
}

export async function readCacheMarker(folder: string): Promise<CacheMarker | undefined> {
	let parsed: unknown;
	try {
		parsed = JSON.parse(await readFile(join(folder, COMPLETE_MARKER_FILE), 'utf8'));
	} catch {
		return undefined;
	}
	return isCacheMarker(parsed) ? parsed : undefined;
}

/** Written to a temporary name and renamed, so a reader sees the old marker or the new one. */
export async function writeCacheMarker(folder: string, marker: CacheMarker): Promise<void> {
	await mkdir(folder, { recursive: true });
	const temporary = join(folder, `${COMPLETE_MARKER_FILE}.${randomBytes(6).toString('hex')}.tmp`);
	await writeFile(temporary, `${JSON.stringify(marker, null, '\t')}\n`);
	await rename(temporary, join(folder, COMPLETE_MARKER_FILE));
}

/**
 * The variant's files when the marker says it is complete and every file is still there
 * with its recorded size (a folder copied by hand may be partial). `required` adds files
 * the caller knows it needs, e.g. after a preset gained a file in a newer package version.
 */
export async function completeVariantFiles(
	folder: string,
	marker: CacheMarker | undefined,
	variant: string,
	required: readonly string[] = [],
): Promise<string[] | undefined> {
	const entry = marker?.variants[variant];
	if (marker === undefined || entry === undefined) return undefined;
	if (!required.every((file) => entry.files.includes(file))) return undefined;
	for (const file of entry.files) {
		const record = marker.files[file];
		if (record === undefined || !isSafeRepoFilePath(file)) return undefined;
		try {
			const info = await stat(join(folder, file));
			if (!info.isFile() || info.size !== record.size) return undefined;
		} catch {
			return undefined;
		}
	}
	return entry.files;
}

function isCacheMarker(value: unknown): value is CacheMarker {
	if (typeof value !== 'object' || value === null) return false;
	const marker = value as Partial<Record<keyof CacheMarker, unknown>>;
	return (
		marker.format === 1 &&
		typeof marker.repo === 'string' &&
		typeof marker.revision === 'string' &&
		typeof marker.layout === 'string' &&
		(MODEL_LAYOUTS as readonly string[]).includes(marker.layout) &&
		typeof marker.files === 'object' &&
		marker.files !== null &&
		typeof marker.variants === 'object' &&
		marker.variants !== null
	);
}
