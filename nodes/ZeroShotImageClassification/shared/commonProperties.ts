import type { INodeProperties } from 'n8n-workflow';
import { DCT_MARGIN, DEFAULT_BATCH_SIZE, DEFAULT_MAX_PIXELS } from '../../../engine';
import { DEFAULT_PRESET_ID } from '../../../engine/hub';
import { docsLink } from './docsLinks';
import { CUSTOM_MODEL, modelOptions } from './modelOptions';

/** The model every operation runs: a preset, or a folder / Hub repo. */
export const modelProperties: INodeProperties[] = [
	{
		displayName: 'Model',
		name: 'model',
		type: 'options',
		options: modelOptions(),
		default: DEFAULT_PRESET_ID,
		description: `CLIP or SigLIP model to run. Presets download once into the models cache on first use. ${docsLink('Which model to pick', 'presets')}.`,
	},
	{
		displayName: 'Model Folder or Repo',
		name: 'customModel',
		type: 'string',
		default: '',
		required: true,
		placeholder: '/data/models/clip-vit-base-patch32 or Xenova/clip-vit-base-patch16',
		description: `A local folder holding a CLIP or SigLIP export (Hugging Face onnx/ or Immich visual/ + textual/ layout), or a Hugging Face repo as owner/name, optionally @revision. ${docsLink('Folders and repos', 'localModels')}.`,
		displayOptions: { show: { model: [CUSTOM_MODEL] } },
	},
];

/** Where an item's image comes from (operations that read images). */
export const imageSourceProperties: INodeProperties[] = [
	{
		displayName: 'Image Source',
		name: 'imageSource',
		type: 'options',
		options: [
			{ name: 'Binary Property', value: 'binary', description: 'An image file on the item, e.g. from Read Files or HTTP Request' },
			{ name: 'Base64 or Data URL in a JSON Field', value: 'json', description: 'A data URL (data:image/jpeg;base64,…) or bare base64 string in the item JSON' },
		],
		default: 'binary',
		description: `Where each item’s image is. ${docsLink('Image input', 'usage')}.`,
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: `The name of the input binary field containing the image. ${docsLink('Image input', 'usage')}.`,
		displayOptions: { show: { imageSource: ['binary'] } },
	},
	{
		displayName: 'JSON Field',
		name: 'imageField',
		type: 'string',
		default: 'image',
		required: true,
		hint: `The item JSON field holding the base64 image or data URL (dot notation for nested fields). ${docsLink('Image input', 'usage')}.`,
		displayOptions: { show: { imageSource: ['json'] } },
	},
];

const backendOption: INodeProperties = {
	displayName: 'Backend',
	name: 'backend',
	type: 'options',
	options: [
		{ name: 'Auto', value: 'auto', description: 'Native onnxruntime-node, or WebAssembly where it cannot load (Alpine/musl)' },
		{ name: 'Native', value: 'native', description: 'Onnxruntime-node only (fastest); fail where it cannot load' },
		{ name: 'WebAssembly', value: 'wasm', description: 'Onnxruntime-web: runs everywhere, slower' },
	],
	default: 'auto',
};

const batchSizeOption: INodeProperties = {
	displayName: 'Batch Size',
	name: 'batchSize',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 256 },
	default: DEFAULT_BATCH_SIZE,
	description: 'Images per inference call. Larger batches are faster per image and use more memory.',
};

const resamplingOption: INodeProperties = {
	displayName: 'Image Resampling',
	name: 'resampling',
	type: 'options',
	options: [
		{
			name: 'Accurate',
			value: 'accurate',
			description: `Decodes large JPEGs at a reduced scale that keeps at least ${DCT_MARGIN}x the model size, then resizes exactly like Python CLIP: faster on phone photos, pixels within 0.005 of the reference on average`,
		},
		{ name: 'Reference (Bit-Exact)', value: 'reference', description: 'Decodes every image in full and reproduces the Python CLIP preprocessing (Pillow) bit for bit' },
		{ name: 'Fast', value: 'fast', description: 'Resizes while decoding with libvips: fastest, probabilities within about 0.01 of the reference' },
	],
	default: 'accurate',
};

const maxImagePixelsOption: INodeProperties = {
	displayName: 'Max Image Pixels',
	name: 'maxImagePixels',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: DEFAULT_MAX_PIXELS,
	description: 'Larger images are refused before decoding (protects the instance from decompression bombs)',
};

/** Options every operation has: how the model is found and run, where results go. */
const modelRunOptions: INodeProperties[] = [
	{
		displayName: 'Model Variant',
		name: 'variant',
		type: 'string',
		default: '',
		placeholder: 'fp32, fp16, quantized',
		description: `Which ONNX files of the model to use; empty for the default (fp32). ${docsLink('Variants', 'models')}.`,
	},
	{
		displayName: 'Models Cache Folder',
		name: 'cacheDir',
		type: 'string',
		default: '',
		description: `Where downloaded models are kept; empty for N8N_ZSIC_MODELS_DIR or ~/.n8n/models. ${docsLink('The models cache', 'modelsCache')}.`,
	},
	{
		displayName: 'Offline',
		name: 'offline',
		type: 'boolean',
		default: false,
		description: `Whether to never download: use only models already in the cache or on disk. ${docsLink('Offline installs', 'offline')}.`,
	},
	{
		displayName: 'Output Field',
		name: 'outputField',
		type: 'string',
		default: '',
		description: 'Put the results under this field instead of at the root of the item JSON',
	},
	{
		displayName: 'Threads',
		name: 'threads',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description: 'Threads per inference; 0 lets ONNX Runtime use one per core',
	},
];

/** The options of an operation that reads images. */
export const imageRunOptions: INodeProperties[] = [backendOption, batchSizeOption, resamplingOption, maxImagePixelsOption, ...modelRunOptions];

/** The options of an operation that runs the text tower only. */
export const textRunOptions: INodeProperties[] = [backendOption, ...modelRunOptions];

/** The "Options" collection of an operation, shown for that operation only; `help` links its docs section. */
export function optionsCollection(operation: string, options: INodeProperties[], help: string): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		description: `How the model runs and where results go. ${help}.`,
		displayOptions: { show: { operation: [operation] } },
		// n8n lists collection options alphabetically (its lint rule asks for it).
		options: [...options].sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}
