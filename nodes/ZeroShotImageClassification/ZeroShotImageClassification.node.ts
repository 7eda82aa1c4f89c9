import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { classifyImages, EngineError, parseClassList, sharedModelRegistry, withModel, type Classification, type ClassificationRequest } from '../../engine';
import { batchedClassificationJson, classificationJson, outputItem } from './itemOutput';
import { modelSelection, type NodeOptions } from './modelSelection';
import { nodeProperties } from './nodeProperties';
import { toNodeError } from './toNodeError';
import { itemImages } from './readItemImage';

interface PendingItem {
	readonly index: number;
	readonly requests: ClassificationRequest[];
	readonly batched: boolean;
}

/** An error of one image of a batched item, saying which. */
function inBatch(cause: Error, position: number, count: number): Error {
	const message = `image ${position + 1} of ${count}: ${cause.message}`;
	return cause instanceof EngineError ? new EngineError(cause.code, message, cause.hint) : new Error(message);
}

export class ZeroShotImageClassification implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Zero-Shot Image Classification',
		name: 'zeroShotImageClassification',
		icon: { light: 'file:zeroShotImageClassification.svg', dark: 'file:zeroShotImageClassification.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["classes"]}}',
		description: 'Classify images into any classes you name, with a CLIP model run locally',
		defaults: { name: 'Zero-Shot Image Classification' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'huggingFaceHubApi', required: false }],
		usableAsTool: true,
		properties: nodeProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const output: Array<INodeExecutionData | undefined> = new Array(items.length);
		const failures = new Map<number, Error>();
		const pending: PendingItem[] = [];

		// Per-item parameters first: a bad item is reported (or skipped) without touching the model.
		for (let i = 0; i < items.length; i++) {
			try {
				const classes = parseClassList(this.getNodeParameter('classes', i));
				const source = this.getNodeParameter('imageSource', i, 'binary') as string;
				const { loaders, batched } = itemImages(this, i, source);
				pending.push({ index: i, requests: loaders.map((image) => ({ image, classes })), batched });
			} catch (error) {
				failures.set(i, error as Error);
			}
		}

		if (pending.length > 0) {
			const options = this.getNodeParameter('options', 0, {}) as NodeOptions;
			const template = this.getNodeParameter('promptTemplate', 0, '') as string;
			try {
				const results = await withModel(await modelSelection(this, options), (model) => {
					// The process-wide load count shows that a process loads a model once, not per execution
					// (checked by the queue-mode e2e test, one count per worker).
					this.logger.debug(`Zero-shot classification of ${pending.length} item(s) with ${model.descriptor.folder} (model loads in this process: ${sharedModelRegistry.loads})`);
					return classifyImages(
						model,
						pending.flatMap((p) => p.requests),
						{
							template: template || undefined,
							batchSize: options.batchSize,
							resampling: options.resampling,
							maxPixels: options.maxImagePixels,
							logitScale: options.logitScale ? options.logitScale : undefined,
							signal: this.getExecutionCancelSignal?.(),
						},
					);
				});
				let next = 0;
				for (const { index, requests, batched } of pending) {
					const own = results.slice(next, next + requests.length);
					next += requests.length;
					const failed = own.findIndex((r) => r instanceof Error);
					if (failed >= 0) {
						const cause = own[failed] as Error;
						failures.set(index, batched ? inBatch(cause, failed, own.length) : cause);
						continue;
					}
					const done = own as Classification[];
					const json = batched ? batchedClassificationJson(done, options.topK ?? 0) : classificationJson(done[0], options.topK ?? 0);
					output[index] = outputItem(items[index], index, json, options.outputField ?? '');
				}
			} catch (error) {
				// The model could not be used at all: every pending item fails with the same cause.
				for (const { index } of pending) failures.set(index, error as Error);
			}
		}

		for (const [index, error] of [...failures].sort((a, b) => a[0] - b[0])) {
			const nodeError = toNodeError(this.getNode(), error, index);
			if (!this.continueOnFail()) throw nodeError;
			output[index] = { json: { ...items[index].json, error: nodeError.message }, pairedItem: { item: index } };
			// "Continue (using error output)": n8n moves an item to the error output only when it carries
			// `error` (its JSON keeps the input's fields, so n8n cannot tell from the JSON alone).
			if (this.getNode().onError === 'continueErrorOutput') (output[index] as INodeExecutionData).error = nodeError;
			if (items[index].binary) (output[index] as INodeExecutionData).binary = items[index].binary;
		}
		return [output as INodeExecutionData[]];
	}
}
