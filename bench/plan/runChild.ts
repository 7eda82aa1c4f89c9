import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { RESULT_PREFIX, type ScenarioResult, type ScenarioSpec } from '../scenarios/scenarioTypes';

const SCENARIO_SCRIPT = join(__dirname, '..', 'scenarios', 'runScenario.js');
/** Longer than any scenario takes on a 2-core box (ViT-L/14, 12 MP exact). */
const TIMEOUT_MS = 30 * 60_000;

/** Runs one scenario in its own Node.js process and returns what it measured. */
export function runChild(spec: ScenarioSpec): Promise<ScenarioResult> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [SCENARIO_SCRIPT, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
		child.on('error', reject);
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
			if (code === 0 && line) {
				resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as ScenarioResult);
				return;
			}
			reject(new Error(`scenario ${spec.kind} failed (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').slice(-8).join('\n')}`));
		});
	});
}
