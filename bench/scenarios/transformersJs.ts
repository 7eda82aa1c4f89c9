import type * as Transformers from '@huggingface/transformers' with { 'resolution-mode': 'import' };

/**
 * transformers.js, loaded the way an ES-module user would (it is ESM-first) and pinned to the
 * local model folder: no Hub access, so the comparison runs offline on the same files.
 */
export async function loadTransformers(localModelPath: string): Promise<typeof Transformers> {
	const transformers = await import('@huggingface/transformers');
	transformers.env.allowRemoteModels = false;
	transformers.env.allowLocalModels = true;
	transformers.env.localModelPath = localModelPath;
	return transformers;
}

/** The pipeline's output for one image (labels sorted by score) back in class-list order. */
export function inClassOrder(output: ReadonlyArray<{ label: string; score: number }>, classes: readonly string[]): number[] {
	const byLabel = new Map(output.map((o) => [o.label, o.score]));
	return classes.map((c) => byLabel.get(c) ?? Number.NaN);
}
