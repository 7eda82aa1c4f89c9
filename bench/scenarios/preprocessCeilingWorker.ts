import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';
import { DEFAULT_MAX_PIXELS, preprocessImage, type PreprocessSpec } from '../../engine';
import type { PreprocessCeilingMode } from './preprocessCeiling';

export interface PreprocessWorkerData {
	readonly files: readonly string[];
	readonly mode: PreprocessCeilingMode;
	readonly spec: PreprocessSpec;
}

const { files, mode, spec } = workerData as PreprocessWorkerData;
const target = new Float32Array(3 * spec.size * spec.size);
sharp.cache(false);

/** One image's decode + resize, as the mode does it. */
async function preprocess(file: string): Promise<void> {
	const input = await readFile(file);
	if (mode === 'sharp') {
		// libvips alone with its defaults (shrink-on-load included): the fastest sharp gets to 224 px.
		await sharp(input).resize(spec.size, spec.size, { fit: 'cover', kernel: 'cubic' }).removeAlpha().raw().toBuffer();
		return;
	}
	await preprocessImage(input, spec, { resampling: mode, limits: { maxPixels: DEFAULT_MAX_PIXELS } }, target);
}

parentPort?.on('message', (message: { pass: number }) => {
	void (async () => {
		for (const file of files) await preprocess(file);
		parentPort?.postMessage({ pass: message.pass });
	})();
});

// Warm-up (code paths, libvips initialisation) before the first timed pass.
void preprocess(files[0]).then(() => parentPort?.postMessage({ ready: true }));
