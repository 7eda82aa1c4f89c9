import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScenarioResult, ScenarioSpec } from '../scenarios/scenarioTypes';

const SCENARIO_SCRIPT = join(__dirname, '..', 'scenarios', 'runScenario.js');
/** Longer than any scenario takes on a 2-core box (ViT-L/14, 12 MP exact). */
const TIMEOUT_MS = 30 * 60_000;

let resultsDir: string | undefined;
let nextResult = 0;

/**
 * Runs one scenario in its own Node.js process and returns what it measured. The result comes
 * back in a file, not on stdout: native libraries (ONNX Runtime, libvips) write to the same
 * file descriptor from their own threads and can split a long line.
 */
export function runChild(spec: ScenarioSpec): Promise<ScenarioResult> {
	resultsDir ??= mkdtempSync(join(tmpdir(), 'zsic-bench-'));
	const resultFile = join(resultsDir, `${process.pid}-${nextResult++}.json`);
	return new Promise<ScenarioResult>((resolve, reject) => {
		const child = spawn(process.execPath, [SCENARIO_SCRIPT, JSON.stringify(spec), resultFile], { stdio: ['ignore', 'ignore', 'pipe'] });
		let stderr = '';
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
		child.on('error', reject);
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			try {
				if (code !== 0) throw new Error(stderr.trim().split('\n').slice(-8).join('\n'));
				resolve(JSON.parse(readFileSync(resultFile, 'utf8')) as ScenarioResult);
			} catch (error) {
				reject(new Error(`scenario ${spec.kind} failed (${signal ?? `exit ${code}`}): ${(error as Error).message}`));
			} finally {
				rmSync(resultFile, { force: true });
			}
		});
	});
}
