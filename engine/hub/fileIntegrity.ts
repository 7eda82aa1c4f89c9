import { createReadStream } from 'node:fs';
import type { Hash } from 'node:crypto';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The SHA-256 carried by an `X-Linked-Etag` or `ETag` header, if it is one. The Hub sends
 * the LFS object id (a SHA-256) for LFS files, and the git blob SHA-1 (40 hex) for small
 * files kept in git, which is not a content hash we can compare with; both may be quoted
 * and weak-prefixed (`W/"…"`).
 */
export function sha256FromEtag(etag: string | undefined): string | undefined {
	if (etag === undefined) return undefined;
	const value = etag.trim().replace(/^W\//i, '').replace(/^"|"$/g, '').toLowerCase();
	return SHA256_HEX.test(value) ? value : undefined;
}

export function isSha256Hex(value: string): boolean {
	return SHA256_HEX.test(value);
}

/** Feeds an existing file into a hash, so a resumed download is verified over every byte. */
export async function updateHashFromFile(hash: Hash, filePath: string, signal?: AbortSignal): Promise<void> {
	for await (const chunk of createReadStream(filePath, { signal })) {
		hash.update(chunk as Buffer);
	}
}
