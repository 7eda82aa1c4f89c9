import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';

import { updateHashFromFile } from '../hub/fileIntegrity';
import type { Resampling } from '../image/preprocessSpec';
import type { ModelDescriptor } from '../model/modelDescriptor';

/** Content hashes of vision graphs already read by this process, by path and file identity. */
const graphHashes = new Map<string, Promise<string>>();

/**
 * What decides an example's image embedding besides its bytes: the vision graph's content
 * (SHA-256 of the ONNX file: the same weights give the same key wherever the folder lives, a
 * preset, a Hub revision or a copy on another disk; another variant or revision is another file),
 * the preprocessing spec read from the folder, and the resampling mode (its pixels differ a
 * little). Paths, preset names and revisions are not used: they can point at other weights over
 * time, a hash cannot. The graph is hashed once per process (about a second for ViT-B/32).
 */
export async function exampleModelKey(descriptor: ModelDescriptor, resampling: Resampling): Promise<string> {
	const graph = descriptor.towers.kind === 'separate' ? descriptor.towers.vision : descriptor.towers.model;
	const identity = { graph: await graphHash(graph), preprocess: descriptor.preprocess, resampling };
	return createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 32);
}

async function graphHash(path: string): Promise<string> {
	const info = await stat(path);
	const key = `${path}\u0000${info.size}\u0000${info.mtimeMs}\u0000${info.ino}`;
	let hash = graphHashes.get(key);
	if (hash === undefined) {
		hash = (async () => {
			const sha = createHash('sha256');
			await updateHashFromFile(sha, path);
			return sha.digest('hex');
		})();
		graphHashes.set(key, hash);
		hash.catch(() => graphHashes.delete(key));
	}
	return hash;
}
