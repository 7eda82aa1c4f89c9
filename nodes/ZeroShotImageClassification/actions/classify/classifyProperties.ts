import type { INodeProperties } from 'n8n-workflow';
import { DEFAULT_PROMPT_TEMPLATE, DEFAULT_TEXT_WEIGHT } from '../../../../engine';
import { imageRunOptions, optionsCollection } from '../../shared/commonProperties';
import { docsLink, type DocsSection } from '../../shared/docsLinks';

const classifyOnly = { show: { operation: ['classify'] } };

/** The link that closes Classify's parameter descriptions. */
const classifyDocs = (label: string, section: DocsSection = 'classify') => docsLink(label, section);

/** The Classify operation's parameters, after the model and the image source. */
export const classifyProperties: INodeProperties[] = [
	{
		displayName: 'Classes From',
		name: 'classDefinition',
		type: 'options',
		options: [
			{ name: 'Names List', value: 'names', description: 'Class names, comma-separated, or an expression returning an array' },
			{ name: 'Names with Descriptions', value: 'descriptions', description: 'Each class a label and, optionally, the text the model compares the image with' },
			{ name: 'Example Images', value: 'exampleImages', description: 'A folder with one subfolder of example images per class, named by its label' },
			{ name: 'Example Embeddings', value: 'exampleEmbeddings', description: 'A JSON list of {label, embedding}, e.g. Embed Image results kept in a database' },
		],
		default: 'names',
		description: `How the classes are given. ${classifyDocs('Classes')}.`,
		displayOptions: classifyOnly,
	},
	{
		displayName: 'Classes',
		name: 'classes',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'cat, dog, car',
		description: `Class names, comma-separated, or an expression returning an array. Each item may have its own list (not with One Branch per Class). ${classifyDocs('Classes')}.`,
		hint: 'With One Branch per Class, n8n draws one output per class from this list: type the classes in, or use an expression that needs no input item',
		displayOptions: { show: { operation: ['classify'], classDefinition: ['names'] } },
	},
	{
		displayName: 'Classes',
		name: 'classes',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'receipt, screenshot',
		description: `The classes, comma-separated: n8n draws one output per class. The examples must hold exactly these classes. ${docsLink('Routing by examples', 'exampleRouting')}.`,
		displayOptions: { show: { operation: ['classify'], classDefinition: ['exampleImages', 'exampleEmbeddings'], output: ['perClass'] } },
	},
	{
		displayName: 'Examples Folder',
		name: 'examplesFolder',
		type: 'string',
		default: '',
		required: true,
		placeholder: '/home/node/.n8n-files/examples',
		description:
			`One subfolder per class, named by its label, holding its example images (other files are skipped with a note). Read under n8n’s file-access rules (N8N_RESTRICT_FILE_ACCESS_TO), as Read/Write Files from Disk reads. Example embeddings are cached beside the models. ${docsLink('The examples folder', 'examplesFolder')}.`,
		displayOptions: { show: { operation: ['classify'], classDefinition: ['exampleImages'] } },
	},
	{
		displayName: 'Example Embeddings',
		name: 'exampleEmbeddings',
		type: 'json',
		default: '[]',
		required: true,
		description: `A list of {"label": ..., "embedding": [...]}, one entry per example (several per label), made by Embed Image with this model; or an expression returning one. ${docsLink('Example embeddings', 'examplesFolder')}.`,
		displayOptions: { show: { operation: ['classify'], classDefinition: ['exampleEmbeddings'] } },
	},
	{
		displayName: 'Text Weight',
		name: 'textWeight',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
		default: DEFAULT_TEXT_WEIGHT,
		description:
			`How much of the label’s prompt embedding (with the prompt template or ensemble below) is blended into each class’s example prototype: 0 uses the images only. Useful when the labels are words the model knows and examples are few; keep it at 0.25 or below. ${docsLink('Text Weight', 'textWeight')}.`,
		displayOptions: { show: { operation: ['classify'], classDefinition: ['exampleImages', 'exampleEmbeddings'] } },
	},
	{
		displayName: 'Classes with Descriptions',
		name: 'classDescriptions',
		placeholder: 'Add Class',
		type: 'fixedCollection',
		default: {},
		typeOptions: { multipleValues: true, sortable: true },
		description: `Each class a label and the text the image is compared with. ${classifyDocs('Class descriptions', 'classDescriptions')}.`,
		displayOptions: { show: { operation: ['classify'], classDefinition: ['descriptions'] } },
		options: [
			{
				name: 'classes',
				displayName: 'Classes',
				values: [
					{
						displayName: 'Label',
						name: 'label',
						type: 'string',
						default: '',
						required: true,
						placeholder: 'receipt',
						description: 'The class name in the results (and the output name with One Branch per Class)',
					},
					{
						displayName: 'Description',
						name: 'description',
						type: 'string',
						default: '',
						placeholder: 'a photo of a paper shop receipt',
						description: 'The text the image is compared with, used as it is (no template). Empty: the label through the prompt template.',
					},
				],
			},
		],
	},
	{
		displayName: 'Prompts',
		name: 'prompts',
		type: 'options',
		options: [
			{ name: 'One Template', value: 'template', description: 'Each class name through one prompt template' },
			{
				name: 'CLIP ImageNet Ensemble (80 Templates)',
				value: 'imagenet80',
				description: 'The 80 templates of the CLIP paper, averaged per class: better scores, 80 text-tower runs per class the first time',
			},
			{ name: 'My Own Ensemble', value: 'custom', description: 'Your own templates, one per line, averaged per class' },
		],
		default: 'template',
		description: `How class names become the texts the image is compared with. ${classifyDocs('Prompt ensembles', 'promptEnsembles')}.`,
		displayOptions: classifyOnly,
	},
	{
		displayName: 'Prompt Template',
		name: 'promptTemplate',
		type: 'string',
		default: DEFAULT_PROMPT_TEMPLATE,
		description: `How each class name becomes a prompt: {} is replaced by the class name; {} alone uses the bare name. ${classifyDocs('Prompts')}.`,
		displayOptions: { show: { operation: ['classify'], prompts: ['template'] } },
	},
	{
		displayName: 'Prompt Templates',
		name: 'promptTemplates',
		type: 'string',
		typeOptions: { rows: 5 },
		default: 'a photo of a {}.\na close-up photo of a {}.\na blurry photo of a {}.',
		description: `One template per line, {} standing for the class name. Each class’s embedding is the average over the templates. ${classifyDocs('Prompt ensembles', 'promptEnsembles')}.`,
		displayOptions: { show: { operation: ['classify'], prompts: ['custom'] } },
	},
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		options: [
			{ name: 'Single Output', value: 'single', description: 'Every item on one output, with its scores' },
			{ name: 'One Branch per Class', value: 'perClass', description: 'Each item leaves on the output of its class (or "Other"), with its scores' },
		],
		default: 'single',
		description: `Whether items are routed by class. ${classifyDocs('Routing by class', 'routing')}.`,
		displayOptions: classifyOnly,
	},
	{
		displayName: 'When No Class Matches',
		name: 'unmatched',
		type: 'options',
		options: [
			{ name: "Send to an 'Other' Output", value: 'other', description: 'Items whose best score is under the confidence threshold leave on an extra output' },
			{ name: 'Discard Item', value: 'discard', description: 'Items whose best score is under the confidence threshold are dropped' },
		],
		default: 'other',
		description: `Where items without a class go. ${classifyDocs('Routing by class', 'routing')}.`,
		hint: 'Set the threshold under Options. At 0 (the default) every item goes to its best class.',
		displayOptions: { show: { operation: ['classify'], output: ['perClass'] } },
	},
	optionsCollection(
		'classify',
		[
			...imageRunOptions,
			{
				displayName: 'Confidence Threshold',
				name: 'confidenceThreshold',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 3 },
				default: 0,
				description:
					`Lowest score (0 to 1) that counts as a match; items under it have no class ("Other" with One Branch per Class). Scores are not calibrated probabilities: tune this on your own images. 0 always matches the best class. ${classifyDocs('Threshold and multi-label', 'thresholds')}.`,
			},
			{
				displayName: 'Logit Bias',
				name: 'logitBias',
				type: 'number',
				typeOptions: { numberPrecision: 4 },
				default: 0,
				description:
					`SigLIP models only: added to the scaled cosine before the sigmoid. 0 uses the model’s own (read from its combined graph or preset). Needed, with Logit Scale, for SigLIP folders that do not carry them (Immich layout). ${docsLink('SigLIP options', 'siglipOptions')}.`,
			},
			{
				displayName: 'Logit Scale',
				name: 'logitScale',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description: `Multiplies cosine similarities before the softmax or sigmoid. 0 uses the model’s own (100 for OpenAI and LAION CLIP; read from the graph or preset for SigLIP). ${docsLink('SigLIP options', 'siglipOptions')}.`,
			},
			{
				displayName: 'Multi-Label',
				name: 'multiLabel',
				type: 'boolean',
				default: false,
				description: `Whether an item matches every class whose score reaches the confidence threshold (and leaves on each of their outputs), not only its best one. ${classifyDocs('Threshold and multi-label', 'thresholds')}.`,
			},
			{
				displayName: 'Top K',
				name: 'topK',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description: 'Also output the K most likely classes as "top", best first; 0 for none',
			},
		],
		classifyDocs('Options'),
	),
];
