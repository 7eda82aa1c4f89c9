import type { INodeProperties } from 'n8n-workflow';
import { imageSourceProperties, modelProperties } from '../shared/commonProperties';
import { docsLink } from '../shared/docsLinks';
import { siglipScoringNotice } from './classify/siglipScoringNotice';
import { operationDescriptions } from './router';

/** Every parameter of the node: the operation, the model (and Classify's notice about it), the image source, then each operation's own. */
export const nodeProperties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Classify', value: 'classify', action: 'Classify an image', description: 'Score the image against classes you name, and optionally route it by class' },
			{ name: 'Embed Image', value: 'embedImage', action: 'Embed an image', description: 'The image’s embedding vector, for similarity search and near-duplicates' },
			{ name: 'Embed Text', value: 'embedText', action: 'Embed a text', description: 'A text’s embedding vector, in the same space as the images’' },
		],
		default: 'classify',
		description: `What the node does with each item. ${docsLink('Operations', 'usage')}. ${docsLink('Serving them over HTTP', 'httpApi')}.`,
	},
	...modelProperties,
	...siglipScoringNotice(),
	...imageSourceProperties.map((p) => ({ ...p, displayOptions: { show: { ...p.displayOptions?.show, operation: ['classify', 'embedImage'] } } })),
	...operationDescriptions.classify.description,
	...operationDescriptions.embedImage.description,
	...operationDescriptions.embedText.description,
];
