import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { EngineError, embedImages, withModel, type ImageInput } from '../../../../engine';
import { imageRunOptions, optionsCollection } from '../../shared/commonProperties';
import { docsLink } from '../../shared/docsLinks';
import { embeddingJson } from '../../shared/embeddingJson';
import { failedItem, sortedFailures } from '../../shared/itemFailures';
import { outputItem } from '../../shared/itemOutput';
import { chosenResampling, modelSelection, type NodeOptions } from '../../shared/modelSelection';
import { itemImages } from '../../shared/readItemImage';

export const description: INodeProperties[] = [optionsCollection('embedImage', imageRunOptions, docsLink('Embed Image', 'embedImage'))];

/**
 * Embed Image: the L2-normalized image embedding of every item (`embedding`, `model`,
 * `dimension`), through the same batch pipeline as Classify.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const options = this.getNodeParameter('options', 0, {}) as NodeOptions;
	const resampling = chosenResampling(this, options);
	const output: INodeExecutionData[] = new Array(items.length);
	const failures = new Map<number, Error>();
	const pending: Array<{ index: number; loaders: ImageInput[]; batched: boolean }> = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const source = this.getNodeParameter('imageSource', i, 'binary') as string;
			const { loaders, batched } = itemImages(this, i, source);
			pending.push({ index: i, loaders, batched });
		} catch (error) {
			failures.set(i, error as Error);
		}
	}
	if (pending.length > 0) {
		try {
			const selection = await modelSelection(this, options);
			const results = await withModel(selection, (model) =>
				embedImages(
					model,
					pending.flatMap((p) => p.loaders),
					{ batchSize: options.batchSize, resampling, maxPixels: options.maxImagePixels, signal: this.getExecutionCancelSignal?.() },
				),
			);
			let next = 0;
			for (const { index, loaders, batched } of pending) {
				const own = results.slice(next, next + loaders.length);
				next += loaders.length;
				const failed = own.findIndex((r) => r instanceof Error);
				if (failed >= 0) {
					const cause = own[failed] as Error;
					const message = batched ? `image ${failed + 1} of ${own.length}: ${cause.message}` : cause.message;
					failures.set(index, cause instanceof EngineError ? new EngineError(cause.code, message, cause.hint) : new Error(message));
					continue;
				}
				const embeddings = own as Float32Array[];
				output[index] = outputItem(items[index], index, embeddingJson(batched ? embeddings : embeddings[0], selection.model), options.outputField ?? '');
			}
		} catch (error) {
			for (const { index } of pending) failures.set(index, error as Error);
		}
	}
	for (const [index, error] of sortedFailures(failures)) output[index] = failedItem(this, index, error);
	return [output];
}
