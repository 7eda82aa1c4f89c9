import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { buildPrompt, EngineError, withModel } from '../../../../engine';
import { optionsCollection, textRunOptions } from '../../shared/commonProperties';
import { embeddingJson } from '../../shared/embeddingJson';
import { failedItem, sortedFailures } from '../../shared/itemFailures';
import { outputItem } from '../../shared/itemOutput';
import { modelSelection, type NodeOptions } from '../../shared/modelSelection';

export const description: INodeProperties[] = [
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'a red bicycle leaning on a wall',
		description: 'The text to embed, usually an expression reading a field of the item',
		displayOptions: { show: { operation: ['embedText'] } },
	},
	{
		displayName: 'Prompt Template',
		name: 'textTemplate',
		type: 'string',
		default: '',
		placeholder: 'a photo of a {}.',
		description: 'Optional: {} is replaced by the text (e.g. to embed a class name as Classify does). Empty embeds the text as it is.',
		displayOptions: { show: { operation: ['embedText'] } },
	},
	optionsCollection('embedText', textRunOptions),
];

/** Embed Text: the L2-normalized text embedding of every item's text, in the images' space. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const options = this.getNodeParameter('options', 0, {}) as NodeOptions;
	const template = (this.getNodeParameter('textTemplate', 0, '') as string).trim();
	const output: INodeExecutionData[] = new Array(items.length);
	const failures = new Map<number, Error>();
	const pending: Array<{ index: number; prompt: string }> = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const text = this.getNodeParameter('text', i, '');
			if (typeof text !== 'string' && typeof text !== 'number') throw new EngineError('CLASS_LIST', `the text must be a string, got ${Array.isArray(text) ? 'a list' : typeof text}`);
			const trimmed = String(text).trim();
			if (trimmed === '') throw new EngineError('CLASS_LIST', 'the text to embed is empty');
			pending.push({ index: i, prompt: template ? buildPrompt(template, trimmed) : trimmed });
		} catch (error) {
			failures.set(i, error as Error);
		}
	}
	if (pending.length > 0) {
		try {
			const selection = await modelSelection(this, options);
			const embeddings = await withModel(selection, (model) => model.embedPrompts(pending.map((p) => p.prompt)));
			pending.forEach(({ index }, k) => {
				output[index] = outputItem(items[index], index, embeddingJson(embeddings[k], selection.model), options.outputField ?? '');
			});
		} catch (error) {
			for (const { index } of pending) failures.set(index, error as Error);
		}
	}
	for (const [index, error] of sortedFailures(failures)) output[index] = failedItem(this, index, error);
	return [output];
}
