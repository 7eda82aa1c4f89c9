import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { classifyImages, parseClassList, withModel, type ClassificationRequest } from '../../engine';
import { classificationJson, outputItem } from './itemOutput';
import { modelSelection, type NodeOptions } from './modelSelection';
import { nodeProperties } from './nodeProperties';
import { toNodeError } from './toNodeError';
import { imageLoader } from './readItemImage';

interface PendingItem {
	readonly index: number;
	readonly request: ClassificationRequest;
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
				pending.push({ index: i, request: { image: imageLoader(this, i, source), classes } });
			} catch (error) {
				failures.set(i, error as Error);
			}
		}

		if (pending.length > 0) {
			const options = this.getNodeParameter('options', 0, {}) as NodeOptions;
			const template = this.getNodeParameter('promptTemplate', 0, '') as string;
			try {
				const results = await withModel(await modelSelection(this, options), (model) => {
					this.logger.debug(`Zero-shot classification of ${pending.length} item(s) with ${model.descriptor.folder}`);
					return classifyImages(
						model,
						pending.map((p) => p.request),
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
				results.forEach((result, k) => {
					const { index } = pending[k];
					if (result instanceof Error) failures.set(index, result);
					else output[index] = outputItem(items[index], index, classificationJson(result, options.topK ?? 0), options.outputField ?? '');
				});
			} catch (error) {
				// The model could not be used at all: every pending item fails with the same cause.
				for (const { index } of pending) failures.set(index, error as Error);
			}
		}

		for (const [index, error] of [...failures].sort((a, b) => a[0] - b[0])) {
			const nodeError = toNodeError(this.getNode(), error, index);
			if (!this.continueOnFail()) throw nodeError;
			output[index] = { json: { ...items[index].json, error: nodeError.message }, pairedItem: { item: index } };
			if (items[index].binary) (output[index] as INodeExecutionData).binary = items[index].binary;
		}
		return [output as INodeExecutionData[]];
	}
}
