import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';
import { parseTemplateList, PROMPT_ENSEMBLES } from '../../../../engine';

/** The templates every class name goes through, from the Prompts parameters. */
export function promptTemplates(context: IExecuteFunctions): string[] | undefined {
	const mode = context.getNodeParameter('prompts', 0, 'template') as string;
	if (mode === 'imagenet80') return [...PROMPT_ENSEMBLES.imagenet80];
	if (mode === 'custom') {
		const templates = parseTemplateList(context.getNodeParameter('promptTemplates', 0, '') as string);
		if (templates.length === 0) throw new NodeOperationError(context.getNode(), 'Prompt Templates is empty', { description: 'Give one template per line, {} standing for the class name.' });
		return templates;
	}
	const template = context.getNodeParameter('promptTemplate', 0, '') as string;
	return template ? [template] : undefined;
}
