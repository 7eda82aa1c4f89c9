import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { buildPrompt, EngineError, withModel } from '../../../../engine';
import { optionsCollection, textRunOptions } from '../../shared/commonProperties';
import { docsLink } from '../../shared/docsLinks';
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
		description: `The text to embed, usually an expression reading a field of the item. An expression giving a list of texts embeds each (the embeddings come as a list, in order). ${docsLink('Embed Text', 'embedText')}.`,
		displayOptions: { show: { operation: ['embedText'] } },
	},
	{
		displayName: 'Prompt Template',
		name: 'textTemplate',
		type: 'string',
		default: '',
		placeholder: 'a photo of a {}.',
		description: `Optional: {} is replaced by the text (e.g. to embed a class name as Classify does). Empty embeds the text as it is. ${docsLink('Embed Text', 'embedText')}.`,
		displayOptions: { show: { operation: ['embedText'] } },
	},
	optionsCollection('embedText', textRunOptions, docsLink('Embed Text', 'embedText')),
];

/** Embed Text: the L2-normalized text embedding of every item's text (or list of texts), in the images' space. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const options = this.getNodeParameter('options', 0, {}) as NodeOptions;
	const template = (this.getNodeParameter('textTemplate', 0, '') as string).trim();
	const output: INodeExecutionData[] = new Array(items.length);
	const failures = new Map<number, Error>();
	const pending: Array<{ index: number; prompts: string[]; batched: boolean }> = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const text = this.getNodeParameter('text', i, '');
			// A list of texts is the batched form (as a JSON list of images is for the image operations).
			const texts = Array.isArray(text) ? text : [text];
			if (texts.length === 0) throw new EngineError('CLASS_LIST', 'the list of texts to embed is empty');
			const prompts = texts.map((entry, k) => {
				const where = Array.isArray(text) ? `text ${k + 1} of ${texts.length}: ` : '';
				if (typeof entry !== 'string' && typeof entry !== 'number') throw new EngineError('CLASS_LIST', `${where}the text must be a string, got ${Array.isArray(entry) ? 'a list' : typeof entry}`);
				const trimmed = String(entry).trim();
				if (trimmed === '') throw new EngineError('CLASS_LIST', `${where}the text to embed is empty`);
				return template ? buildPrompt(template, trimmed) : trimmed;
			});
			pending.push({ index: i, prompts, batched: Array.isArray(text) });
		} catch (error) {
			failures.set(i, error as Error);
		}
	}
	if (pending.length > 0) {
		try {
			const selection = await modelSelection(this, options);
			const embeddings = await withModel(selection, (model) => model.embedPrompts(pending.flatMap((p) => p.prompts)));
			let next = 0;
			for (const { index, prompts, batched } of pending) {
				const own = embeddings.slice(next, next + prompts.length);
				next += prompts.length;
				output[index] = outputItem(items[index], index, embeddingJson(batched ? own : own[0], selection.model), options.outputField ?? '');
			}
		} catch (error) {
			for (const { index } of pending) failures.set(index, error as Error);
		}
	}
	for (const [index, error] of sortedFailures(failures)) output[index] = failedItem(this, index, error);
	return [output];
}
