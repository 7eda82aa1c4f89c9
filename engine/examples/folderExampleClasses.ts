import type { ImageEmbeddingOptions } from '../embed/embedImages';
import { resolveCacheDir } from '../hub/cacheDir';
import { DEFAULT_RESAMPLING } from '../image/preprocessSpec';
import type { ClipModel } from '../model/clipModel';
import { embedExampleFolder } from './embedExampleImages';
import { exampleClassSet, type ExampleClassOptions, type ExampleClassSet } from './exampleClasses';
import { ExampleEmbeddingCache } from './exampleEmbeddingCache';
import { exampleModelKey } from './exampleModelKey';
import { readExampleFolder } from './exampleFolder';

export interface FolderExampleOptions extends ExampleClassOptions, ImageEmbeddingOptions {
	/** The models cache folder the example cache sits in (as for models: option, env, default). */
	readonly cacheDir?: string;
	/** Keep example embeddings on disk between runs (default true). */
	readonly cacheExamples?: boolean;
}

export interface FolderExampleClasses {
	readonly classes: ExampleClassSet;
	/** Files skipped, cache problems: worth showing, never fatal. */
	readonly notes: readonly string[];
	readonly embedded: number;
	readonly fromCache: number;
}

/** Classes from an ImageFolder-style examples folder, example embeddings cached on disk by content. */
export async function folderExampleClasses(model: ClipModel, folder: string, options: FolderExampleOptions = {}): Promise<FolderExampleClasses> {
	const examples = await readExampleFolder(folder);
	const cache =
		options.cacheExamples === false
			? undefined
			: ExampleEmbeddingCache.inModelsCache(resolveCacheDir(options.cacheDir), await exampleModelKey(model.descriptor, options.resampling ?? DEFAULT_RESAMPLING));
	const embedded = await embedExampleFolder(model, examples, { ...options, exampleCache: cache });
	const classes = await exampleClassSet(model, embedded.classes, options);
	return { classes, notes: embedded.notes, embedded: embedded.embedded, fromCache: embedded.fromCache };
}
