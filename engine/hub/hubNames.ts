/**
 * Naming rules for the identifiers that end up in URLs and in cache paths.
 * Everything coming from a workflow parameter, a CLI argument or a manifest passes
 * through here first, so a crafted name can never escape the cache folder.
 */

// The Hub's own rule for a repo id part: alphanumerics, '-', '_', '.', not starting or
// ending with '-' or '.', no '--' or '..', at most 96 characters. Forbidding '--' is what
// makes the `<owner>--<name>` cache folder name unambiguous.
const REPO_PART = /^[A-Za-z0-9_](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9_])?$/;

// Branch, tag or commit; '/' is allowed (e.g. refs/pr/1) because the cache folder encodes it.
const REVISION = /^[A-Za-z0-9_][A-Za-z0-9._/-]{0,199}$/;

const PRESET_ID = /^[a-z0-9][a-z0-9._-]*$/;

const VARIANT = /^[a-z0-9]+$/;

export function isValidRepoPart(part: string): boolean {
	return REPO_PART.test(part) && !part.includes('--') && !part.includes('..');
}

export function isValidRepoId(repo: string): boolean {
	const parts = repo.split('/');
	return parts.length === 2 && parts.every(isValidRepoPart);
}

export function isValidRevision(revision: string): boolean {
	return REVISION.test(revision) && !revision.split('/').some((segment) => segment === '' || segment === '.' || segment === '..');
}

export function isValidPresetId(id: string): boolean {
	return PRESET_ID.test(id) && id.length <= 100;
}

export function isValidVariant(variant: string): boolean {
	return VARIANT.test(variant) && variant.length <= 32;
}

/**
 * A file path inside a repo, as it appears in a manifest or a Hub listing. Rejects
 * anything that could resolve outside the model folder once joined to it, on POSIX or
 * Windows (absolute paths, drive letters, backslashes, '.' and '..' segments).
 */
export function isSafeRepoFilePath(filePath: string): boolean {
	if (filePath.length === 0 || filePath.length > 500) return false;
	if (/[\\:\0]/.test(filePath)) return false;
	return filePath.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}
