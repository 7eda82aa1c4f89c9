/**
 * What the API bench runs on: the ViT-B/32-sized random-weight model of the other benches (real
 * CLIP dimensions, so inference costs what a real ViT-B/32 costs), the e2e suite's tiny test model
 * (inference nearly free: what is left is n8n's and HTTP's share), and the benches' ~1 MP photo set.
 * Models and images are generated once into the shared bench cache.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { benchCacheDir } from '../benchPaths';
import { benchImages } from '../fixtures/benchImages';
import { benchModel } from '../fixtures/benchModels';
import { cachedFolder } from '../fixtures/cachedFolder';
import { generateTestModels } from '../../test/fixtures/generateTestModels';

export type ApiBenchModelName = 'vit-b-32' | 'tiny';

export interface ApiBenchInputs {
	/** Model name in the API's URLs → the model folder the node runs. */
	readonly models: Readonly<Record<ApiBenchModelName, string>>;
	/** 1152 x 864 JPEG photos (about 1 MP, 200–300 kB each). */
	readonly images: readonly string[];
}

export async function apiBenchInputs(log: (message: string) => void): Promise<ApiBenchInputs> {
	const cacheDir = benchCacheDir();
	mkdirSync(cacheDir, { recursive: true });
	const vitB32 = await benchModel(cacheDir, 'vit-b-32', log);
	const { dir: tinyRoot } = await cachedFolder(join(cacheDir, 'models', 'tiny-hf'), JSON.stringify({ epoch: 1, layouts: ['hf'] }), async (staging) => {
		await generateTestModels(staging, { layouts: ['hf'], hfVariants: false });
	});
	const images = await benchImages(cacheDir, 'photo-1mp', log);
	return { models: { 'vit-b-32': vitB32.hf.dir, tiny: join(tinyRoot, 'clip-hf') }, images };
}
