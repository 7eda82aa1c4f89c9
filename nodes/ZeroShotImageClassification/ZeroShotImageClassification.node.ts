import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';
import { classOutputs } from './actions/classify/classOutputs';
import { nodeProperties } from './actions/nodeProperties';
import { router } from './actions/router';

export class ZeroShotImageClassification implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Zero-Shot Image Classification',
		name: 'zeroShotImageClassification',
		icon: { light: 'file:zeroShotImageClassification.svg', dark: 'file:zeroShotImageClassification.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ $parameter["operation"] === "embedImage" ? "Embed Image" : $parameter["operation"] === "embedText" ? "Embed Text" : $parameter["classDefinition"] === "descriptions" ? "Classify (described classes)" : $parameter["classDefinition"] === "exampleImages" ? "Classify (example images)" : $parameter["classDefinition"] === "exampleEmbeddings" ? "Classify (example embeddings)" : $parameter["classes"] }}',
		description: 'Classify images into any classes you name, route them by class, or embed images and texts, with a CLIP or SigLIP model run locally',
		defaults: { name: 'Zero-Shot Image Classification' },
		inputs: [NodeConnectionTypes.Main],
		// One output, or one per class (One Branch per Class). Serialised: classOutputs is self-contained.
		outputs: `={{(${classOutputs.toString()})($parameter)}}`,
		credentials: [{ name: 'huggingFaceHubApi', required: false }],
		usableAsTool: true,
		properties: nodeProperties,
	};

	/** Each operation is its own file under actions/ (as n8n's Airtable v2 node): the router picks it. */
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
