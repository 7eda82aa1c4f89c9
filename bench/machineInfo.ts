import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './benchPaths';

function packageVersion(name: string): string {
	try {
		return (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
	} catch {
		return 'not installed';
	}
}

/** What the figures depend on: hardware, runtimes, and the commit measured. */
export function machineInfo(): Record<string, string | number> {
	const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' });
	const dirty = spawnSync('git', ['status', '--porcelain', '--', 'engine'], { cwd: REPO_ROOT, encoding: 'utf8' });
	return {
		cpu: cpus()[0]?.model ?? 'unknown',
		cpus: availableParallelism(),
		memoryGb: Math.round(totalmem() / 2 ** 30),
		node: process.version,
		'onnxruntime-node': packageVersion('onnxruntime-node'),
		sharp: packageVersion('sharp'),
		'@huggingface/transformers': packageVersion('@huggingface/transformers'),
		commit: `${commit.stdout.trim()}${dirty.stdout.trim() ? ' (engine modified)' : ''}`,
	};
}
