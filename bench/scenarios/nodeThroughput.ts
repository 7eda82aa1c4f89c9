import { readFile } from 'node:fs/promises';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { sharedModelRegistry } from '../../engine';
import { ZeroShotImageClassification } from '../../nodes/ZeroShotImageClassification/ZeroShotImageClassification.node';
import { executeContext, mimeTypeOf, nodeParameters, type BenchItem } from './executeContext';
import { AGREEMENT_IMAGES, classNames, nowMs, peakRssMb, rate } from './measure';
import type { NodeSpec, ScenarioResult } from './scenarioTypes';

export function benchItems(files: readonly string[], count: number): BenchItem[] {
	return Array.from({ length: count }, (_, i) => ({ file: files[i % files.length], mimeType: mimeTypeOf(files[i % files.length]) }));
}

/** Runs the node's execute() and checks every item came out classified. */
export async function executeNode(items: readonly BenchItem[], parameters: Record<string, unknown>, onLoad?: (count: number) => void): Promise<INodeExecutionData[]> {
	const node = new ZeroShotImageClassification();
	const [output] = await node.execute.call(executeContext(items, parameters, (file) => readFile(file), onLoad));
	if (output.length !== items.length) throw new Error(`the node returned ${output.length} items for ${items.length}`);
	const failed = output.find((item) => item.json.error !== undefined);
	if (failed) throw new Error(`an item failed: ${String(failed.json.error)}`);
	return output;
}

/** The node as n8n runs it: one execution of `items` items, the model kept loaded between executions. */
export async function nodeThroughput(spec: NodeSpec): Promise<ScenarioResult> {
	const parameters = nodeParameters(spec.modelFolder, classNames(10), { batchSize: spec.batchSize, resampling: spec.resampling, threads: spec.threads, imageCacheMb: 0 });
	const items = benchItems(spec.files, spec.items);

	// First execution in a fresh process: the model load and the first item's text embeddings included.
	const started = nowMs();
	await executeNode(items.slice(0, 1), parameters);
	const firstItemMs = nowMs() - started;
	await executeNode(items, parameters); // warm-up

	const samples: number[] = [];
	let probabilities: number[][] | undefined;
	for (let pass = 0; pass < spec.passes; pass++) {
		const t = nowMs();
		const output = await executeNode(items, parameters);
		samples.push(rate(items.length, nowMs() - t));
		probabilities ??= output.slice(0, AGREEMENT_IMAGES).map((item) => (item.json as IDataObject).probabilities as number[]);
	}
	await sharedModelRegistry.clear();
	return { measurements: [{ key: `items${spec.items}`, imagesPerSecond: samples }], peakRssMb: peakRssMb(), firstItemMs, probabilities };
}
