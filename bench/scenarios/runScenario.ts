import { engineThroughput } from './engineThroughput';
import { fidelity } from './fidelity';
import { inferenceCeiling } from './inferenceCeiling';
import { memoryGrowth } from './memoryGrowth';
import { modelAgreement } from './modelAgreement';
import { nodeThroughput } from './nodeThroughput';
import { peerThroughput } from './peerThroughput';
import { preprocessCeiling } from './preprocessCeiling';
import { writeFileSync } from 'node:fs';
import type { ScenarioResult, ScenarioSpec } from './scenarioTypes';

/**
 * A scenario's own process: a fresh heap, a fresh ONNX Runtime and its own peak RSS, so
 * measurements do not leak into each other. The spec comes as JSON in argv[2]; the result is
 * written as JSON to the file named by argv[3].
 */
function run(spec: ScenarioSpec): Promise<ScenarioResult> {
	switch (spec.kind) {
		case 'inference-ceiling':
			return inferenceCeiling(spec);
		case 'preprocess-ceiling':
			return preprocessCeiling(spec);
		case 'engine':
			return engineThroughput(spec);
		case 'node':
			return nodeThroughput(spec);
		case 'peer':
			return peerThroughput(spec);
		case 'memory':
			return memoryGrowth(spec);
		case 'model-agreement':
			return modelAgreement(spec);
		case 'fidelity':
			return fidelity(spec);
	}
}

const spec = JSON.parse(process.argv[2]) as ScenarioSpec;
// Set before the engine reads it (lazily, on first use).
Object.assign(process.env, spec.env ?? {});

run(spec).then(
	(result) => {
		const cpu = process.cpuUsage();
		writeFileSync(process.argv[3], JSON.stringify({ ...result, cpuMs: (cpu.user + cpu.system) / 1000 }));
		// Worker threads and ONNX Runtime's pools must not keep a finished scenario alive.
		process.exit(0);
	},
	(error: unknown) => {
		process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		process.exit(1);
	},
);
