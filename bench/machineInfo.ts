import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './benchPaths';

function packageVersion(root: string, name: string): string {
	try {
		return (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
	} catch {
		return 'not installed';
	}
}

/**
 * What the figures depend on: hardware, runtimes, and the commit measured. `root`: the checkout
 * measured (the API bench runs from its sources, not from the compiled bench's folder).
 */
export function machineInfo(root: string = REPO_ROOT): Record<string, string | number> {
	const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
	const dirty = spawnSync('git', ['status', '--porcelain', '--', 'engine'], { cwd: root, encoding: 'utf8' });
	return {
		cpu: cpus()[0]?.model ?? 'unknown',
		cpus: availableParallelism(),
		memoryGb: Math.round(totalmem() / 2 ** 30),
		node: process.version,
		'onnxruntime-node': packageVersion(root, 'onnxruntime-node'),
		sharp: packageVersion(root, 'sharp'),
		'@huggingface/transformers': packageVersion(root, '@huggingface/transformers'),
		commit: `${commit.stdout.trim()}${dirty.stdout.trim() ? ' (engine modified)' : ''}`,
	};
}
