import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import type { PreprocessSpec } from '../../engine';
import { nowMs, peakRssMb, rate } from './measure';
import type { PreprocessWorkerData } from './preprocessCeilingWorker';
import type { PreprocessCeilingSpec, ScenarioResult } from './scenarioTypes';

export type PreprocessCeilingMode = PreprocessCeilingSpec['mode'];

/** CLIP ViT-B/32's preprocessing; the ceiling does not depend on the model's weights. */
const CLIP_SPEC: PreprocessSpec = {
	size: 224,
	resizeTo: 224,
	mean: [0.48145466, 0.4578275, 0.40821073],
	std: [0.26862954, 0.26130258, 0.27577711],
	resizeMode: 'shortest',
};

function once(worker: Worker, field: 'ready' | 'pass'): Promise<void> {
	return new Promise((resolve, reject) => {
		const onMessage = (message: Record<string, unknown>): void => {
			if (!(field in message)) return;
			worker.off('message', onMessage);
			resolve();
		};
		worker.on('message', onMessage);
		worker.once('error', reject);
	});
}

/**
 * Decode + resize with nothing else running: `concurrency` worker threads, each preprocessing
 * its share of the files one at a time, so every core is busy (JavaScript resampling included).
 */
export async function preprocessCeiling(spec: PreprocessCeilingSpec): Promise<ScenarioResult> {
	const { mode } = spec;
	const workers = Array.from({ length: spec.concurrency }, (_, k) => {
		const data: PreprocessWorkerData = { files: spec.files.filter((_, i) => i % spec.concurrency === k), mode, spec: CLIP_SPEC };
		return new Worker(join(__dirname, 'preprocessCeilingWorker.js'), { workerData: data });
	});
	await Promise.all(workers.map((w) => once(w, 'ready')));
	const samples: number[] = [];
	for (let pass = 0; pass < spec.passes + 1; pass++) {
		const t = nowMs();
		await Promise.all(workers.map((w) => {
			const done = once(w, 'pass');
			w.postMessage({ pass });
			return done;
		}));
		// Pass 0 is the warm-up (page cache, allocator).
		if (pass > 0) samples.push(rate(spec.files.length, nowMs() - t));
	}
	await Promise.all(workers.map((w) => w.terminate()));
	return { measurements: [{ key: `preprocess ${mode}`, imagesPerSecond: samples }], peakRssMb: peakRssMb() };
}
