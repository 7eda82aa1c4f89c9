import { chmodSync, copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyPresets, REPO_ROOT, transpileFolder } from '../fixtures/compiledSources';

export interface CompiledCli {
	/** A folder holding an executable `clip-classify`, to put first on a shell's PATH. */
	readonly binDir: string;
	readonly remove: () => void;
}

/**
 * `clip-classify` as a reader runs it, without `npm run build`: cli/ and engine/ transpiled into
 * a folder inside the repository (so that their dependencies resolve from its node_modules) and a
 * shell wrapper that starts it with this Node.
 */
export async function compileCli(name: string): Promise<CompiledCli> {
	const root = join(REPO_ROOT, 'test', '.generated', `${name}-${process.pid}`);
	rmSync(root, { recursive: true, force: true });
	await transpileFolder('cli', root);
	await transpileFolder('engine', root);
	await copyPresets(root);
	// Where the CLI looks for its own version, one folder above cli/ as in a clone.
	copyFileSync(join(REPO_ROOT, 'package.json'), join(root, 'package.json'));
	const binDir = join(root, 'bin');
	mkdirSync(binDir, { recursive: true });
	const wrapper = join(binDir, 'clip-classify');
	writeFileSync(wrapper, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(root, 'cli', 'clip-classify.js'))} "$@"\n`);
	chmodSync(wrapper, 0o755);
	return { binDir, remove: () => rmSync(root, { recursive: true, force: true }) };
}
