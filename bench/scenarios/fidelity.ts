import { readFile } from 'node:fs/promises';
import { DEFAULT_MAX_PIXELS, preprocessImage, type PreprocessSpec, type Resampling } from '../../engine';
import { median } from '../report/stats';
import { nowMs, peakRssMb } from './measure';
import type { FidelitySpec, ScenarioResult } from './scenarioTypes';

const CLIP_SPEC: PreprocessSpec = {
	size: 224,
	resizeTo: 224,
	mean: [0.48145466, 0.4578275, 0.40821073],
	std: [0.26862954, 0.26130258, 0.27577711],
	resizeMode: 'shortest',
};

function meanAbsoluteDifference(a: Float32Array, b: Float32Array): number {
	let sum = 0;
	for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
	return sum / a.length;
}

/**
 * Per image: the reference mode's model input, then the default mode's at each DCT margin (and
 * fast's), their mean absolute difference from it (normalized units), and one thread's time per
 * image (best of three, on the main thread). The images/s it reports are one thread's.
 */
export async function fidelity(spec: FidelitySpec): Promise<ScenarioResult> {
	const size = 3 * CLIP_SPEC.size * CLIP_SPEC.size;
	const configs: Array<{ key: string; resampling: Resampling; dctMargin?: number }> = [
		...spec.margins.map((m) => (m === 0 ? { key: 'margin none (reference)', resampling: 'reference' as const } : { key: `margin ${m}`, resampling: 'accurate' as const, dctMargin: m })),
		{ key: 'fast', resampling: 'fast' },
	];
	const errors = new Map<string, number[]>(configs.map((c) => [c.key, []]));
	const times = new Map<string, number[]>(configs.map((c) => [c.key, []]));
	for (const file of spec.files) {
		const input = await readFile(file);
		const reference = new Float32Array(size);
		await preprocessImage(input, CLIP_SPEC, { resampling: 'reference', limits: { maxPixels: DEFAULT_MAX_PIXELS } }, reference);
		for (const config of configs) {
			const pixels = new Float32Array(size);
			let best = Infinity;
			for (let attempt = 0; attempt < 3; attempt++) {
				const t = nowMs();
				await preprocessImage(input, CLIP_SPEC, { resampling: config.resampling, dctMargin: config.dctMargin, limits: { maxPixels: DEFAULT_MAX_PIXELS } }, pixels);
				best = Math.min(best, nowMs() - t);
			}
			errors.get(config.key)?.push(meanAbsoluteDifference(pixels, reference));
			times.get(config.key)?.push(best);
		}
	}
	const details: Record<string, number> = {};
	for (const { key } of configs) {
		const e = errors.get(key) as number[];
		details[`${key}: pixel MAE median`] = median(e);
		details[`${key}: pixel MAE max`] = Math.max(...e);
		details[`${key}: ms per image median`] = median(times.get(key) as number[]);
	}
	return {
		measurements: configs.map(({ key }) => ({ key, imagesPerSecond: [1000 / median(times.get(key) as number[])] })),
		peakRssMb: peakRssMb(),
		details,
	};
}
