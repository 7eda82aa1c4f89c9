import { join } from 'node:path';
import { copyPresets, transpileFolder } from '../fixtures/compiledSources';

/**
 * Transpiles engine/hub to plain JavaScript under `outRoot`, with the manifests copied the
 * way the build copies them (`<outRoot>/engine/hub/*.js`, `<outRoot>/models/*.json`, as in
 * dist/). Child processes can then `require` the real module without ts-jest or ts-node.
 */
export async function compileHubTo(outRoot: string): Promise<string> {
	await transpileFolder(join('engine', 'hub'), outRoot);
	await copyPresets(outRoot);
	return join(outRoot, 'engine', 'hub');
}
