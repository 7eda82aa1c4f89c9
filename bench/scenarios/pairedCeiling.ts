import { readFile } from 'node:fs/promises';
import type { ClipModel, Resampling } from '../../engine';
import { DEFAULT_MAX_PIXELS } from '../../engine';
import { preprocessOffThread } from '../../engine/image/preprocessPool';
import { nowMs, rate } from './measure';

/**
 * The two stages of a pass measured alone, in the same process right after the pass: on a
 * shared machine the load changes from minute to minute, and a ceiling measured in another
 * process at another time would be held against a run under different load.
 */
export interface PairedCeiling {
	/** The vision tower on ready tensors, at the run's batch size (images/s). */
	inference(): Promise<number>;
	/** Loading and preprocessing every file at once, the engine's preprocessing threads all busy (images/s). */
	preprocess(): Promise<number>;
}

export function pairedCeiling(model: ClipModel, files: readonly string[], pixels: readonly Float32Array[], batchSize: number, resampling: Resampling): PairedCeiling {
	const perImage = pixels[0].length;
	const batches: Array<{ data: Float32Array; count: number }> = [];
	for (let start = 0; start < pixels.length; start += batchSize) {
		const count = Math.min(batchSize, pixels.length - start);
		const data = new Float32Array(count * perImage);
		for (let k = 0; k < count; k++) data.set(pixels[start + k], k * perImage);
		batches.push({ data, count });
	}
	const scratch = new Float32Array(files.length * perImage);
	const options = { resampling, limits: { maxPixels: DEFAULT_MAX_PIXELS } };
	return {
		async inference() {
			const t = nowMs();
			for (const batch of batches) await model.embedPixels(batch.data, batch.count);
			return rate(pixels.length, nowMs() - t);
		},
		async preprocess() {
			const t = nowMs();
			await Promise.all(files.map(async (file, i) => preprocessOffThread(await readFile(file), model.preprocess, options, scratch, i * perImage)));
			return rate(files.length, nowMs() - t);
		},
	};
}
