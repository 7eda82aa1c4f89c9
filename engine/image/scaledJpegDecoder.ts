import { randomBytes } from 'node:crypto';
import { unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import sharp from 'sharp';
import type { DctShrink } from './dctShrink';

/**
 * Decodes a JPEG at 1/2, 1/4 or 1/8 scale in the DCT domain (libjpeg's scaled IDCT), for a
 * fraction of the cost of a full decode: a 12 MP photo at 1/4 decodes in about 30 ms instead of
 * 75 ms, and leaves a sixteenth of the pixels to resample.
 *
 * sharp reaches libvips' `jpegload shrink` only through a file name (`photo.jpg[shrink=4]`);
 * it has no input option for it, and its resize-time shrink-on-load always adds a libvips
 * resize of its own. So the bytes go to a private temporary file (about 1 ms for 3 MB) that is
 * removed as soon as they are decoded. When no temporary file can be written, the caller falls
 * back to the full decode: `undefined`.
 */

/** Temporary directories whose path libvips would misread as load options, or that cannot take a file at all. */
const unusableDirs = new Set<string>();

/**
 * Errors that say the directory will refuse every file (missing, read-only, not ours); anything
 * else (a full disk, too many open files) may pass, so only that image is decoded in full.
 */
const LASTING_ERRORS = new Set(['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM', 'EROFS']);

export interface ScaledJpeg {
	readonly data: Buffer;
	readonly width: number;
	readonly height: number;
}

export async function decodeJpegScaled(
	input: Buffer,
	shrink: Exclude<DctShrink, 1>,
	decode: (image: sharp.Sharp) => Promise<ScaledJpeg>,
	options: sharp.SharpOptions,
	dir = tmpdir(),
): Promise<ScaledJpeg | undefined> {
	if (unusableDirs.has(dir) || dir.includes('[')) return undefined;
	// Random, not a counter: a container restarted with the same pid must not meet a file a crash left behind.
	const path = join(dir, `n8n-zsic-${process.pid}-${threadId}-${randomBytes(8).toString('hex')}.jpg`);
	try {
		// wx: never follow or overwrite a file someone else placed there; 0600: the photo stays private.
		await writeFile(path, input, { flag: 'wx', mode: 0o600 });
	} catch (error) {
		if (LASTING_ERRORS.has((error as NodeJS.ErrnoException).code ?? '')) unusableDirs.add(dir);
		return undefined;
	}
	try {
		return await decode(sharp(`${path}[shrink=${shrink}]`, options));
	} finally {
		await unlink(path).catch(() => undefined);
	}
}
