import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..', '..');

/**
 * Transpiles engine/hub to plain JavaScript under `outRoot`, with the manifests copied the
 * way the build copies them (`<outRoot>/engine/hub/*.js`, `<outRoot>/models/*.json`, as in
 * dist/). Child processes can then `require` the real module without ts-jest or ts-node.
 */
export async function compileHubTo(outRoot: string): Promise<string> {
	const hubOut = join(outRoot, 'engine', 'hub');
	await mkdir(hubOut, { recursive: true });
	for (const name of await readdir(join(ROOT, 'engine', 'hub'))) {
		if (!name.endsWith('.ts')) continue;
		const source = await readFile(join(ROOT, 'engine', 'hub', name), 'utf8');
		const output = ts.transpileModule(source, {
			compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
			fileName: name,
		});
		await writeFile(join(hubOut, name.replace(/\.ts$/, '.js')), output.outputText);
	}
	await mkdir(join(outRoot, 'models'), { recursive: true });
	for (const name of await readdir(join(ROOT, 'models'))) {
		if (name.endsWith('.json')) await copyFile(join(ROOT, 'models', name), join(outRoot, 'models', name));
	}
	return hubOut;
}
