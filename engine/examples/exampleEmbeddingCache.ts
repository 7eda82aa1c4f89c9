import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The folder beside the models in the models cache; model repo folders are `<owner>--<name>`, so no clash. */
export const EXAMPLE_CACHE_FOLDER = 'example-embeddings';

const MAGIC = Buffer.from('ZSEE');
const FORMAT = 1;
/** Magic, format, dimension; then the float32 values; then the first 8 bytes of their SHA-256. */
const HEADER_BYTES = 12;
const CHECK_BYTES = 8;

/**
 * Example image embeddings on disk, one small file per image keyed by the SHA-256 of the image's
 * bytes, in a folder per model key (`exampleModelKey`):
 *
 *   <models cache>/example-embeddings/<model key>/<sha[0..2]>/<sha>.emb
 *
 * Keyed by content, not path: a renamed or touched file hits, a changed byte misses. Each entry is
 * written to a temporary name and renamed, so a killed process leaves the old entry or none; an
 * entry that is truncated or altered fails its checksum and is treated as missing (and rewritten).
 */
export class ExampleEmbeddingCache {
	constructor(readonly folder: string) {}

	static inModelsCache(modelsCacheDir: string, modelKey: string): ExampleEmbeddingCache {
		return new ExampleEmbeddingCache(join(modelsCacheDir, EXAMPLE_CACHE_FOLDER, modelKey));
	}

	entryPath(contentHash: string): string {
		return join(this.folder, contentHash.slice(0, 2), `${contentHash}.emb`);
	}

	async get(contentHash: string): Promise<Float32Array | undefined> {
		let bytes: Buffer;
		try {
			bytes = await readFile(this.entryPath(contentHash));
		} catch {
			return undefined;
		}
		return decodeEntry(bytes);
	}

	async set(contentHash: string, embedding: Float32Array): Promise<void> {
		const path = this.entryPath(contentHash);
		await mkdir(join(this.folder, contentHash.slice(0, 2)), { recursive: true });
		const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
		try {
			await writeFile(temporary, encodeEntry(embedding));
			await rename(temporary, path);
		} catch (error) {
			await rm(temporary, { force: true });
			throw error;
		}
	}
}

export function contentHash(bytes: Buffer): string {
	return createHash('sha256').update(bytes).digest('hex');
}

function encodeEntry(embedding: Float32Array): Buffer {
	const values = Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength);
	const header = Buffer.alloc(HEADER_BYTES);
	MAGIC.copy(header, 0);
	header.writeUInt32LE(FORMAT, 4);
	header.writeUInt32LE(embedding.length, 8);
	return Buffer.concat([header, values, checksum(values)]);
}

function decodeEntry(bytes: Buffer): Float32Array | undefined {
	if (bytes.length < HEADER_BYTES + CHECK_BYTES || !bytes.subarray(0, 4).equals(MAGIC) || bytes.readUInt32LE(4) !== FORMAT) return undefined;
	const dimension = bytes.readUInt32LE(8);
	if (dimension === 0 || bytes.length !== HEADER_BYTES + dimension * 4 + CHECK_BYTES) return undefined;
	const values = bytes.subarray(HEADER_BYTES, HEADER_BYTES + dimension * 4);
	if (!checksum(values).equals(bytes.subarray(HEADER_BYTES + dimension * 4))) return undefined;
	// Copied out: the read buffer may be a slice of a shared pool with an unaligned offset.
	const embedding = new Float32Array(dimension);
	Buffer.from(embedding.buffer).set(values);
	return embedding;
}

function checksum(values: Buffer): Buffer {
	return createHash('sha256').update(values).digest().subarray(0, CHECK_BYTES);
}
