import { sharedModelRegistry } from '../../engine';
import { nodeParameters } from './executeContext';
import { classNames, nowMs, peakRssMb, rate, rssMb } from './measure';
import { benchItems, executeNode } from './nodeThroughput';
import type { MemorySpec, ScenarioResult } from './scenarioTypes';

/**
 * One long node execution: RSS when the checkpoint item's image is read and when the last one
 * is. Equal values mean memory is bounded by the batch, not by the number of items.
 */
export async function memoryGrowth(spec: MemorySpec): Promise<ScenarioResult> {
	const parameters = nodeParameters(spec.modelFolder, classNames(10), { threads: spec.threads, imageCacheMb: 0 });
	await executeNode(benchItems(spec.files, 32), parameters); // model load and arena warm-up

	const details: Record<string, number> = {};
	const t = nowMs();
	await executeNode(benchItems(spec.files, spec.items), parameters, (count) => {
		if (count === spec.checkpoint) details.rssAtCheckpointMb = rssMb();
		if (count === spec.items) details.rssAtEndMb = rssMb();
	});
	const ips = rate(spec.items, nowMs() - t);
	details.rssAfterExecutionMb = rssMb();
	details.growth = details.rssAtEndMb / details.rssAtCheckpointMb - 1;
	await sharedModelRegistry.clear();
	return { measurements: [{ key: `items${spec.items}`, imagesPerSecond: [ips] }], peakRssMb: peakRssMb(), details };
}
