import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';
import { parseResampling, RESAMPLINGS, type BackendChoice, type ModelSelection, type Resampling } from '../../../engine';
import { isValidPresetId, parseModelRef, resolveCacheDir } from '../../../engine/hub';
import { checkedFolderPath } from './fileAccess';
import { CUSTOM_MODEL } from './modelOptions';

/** The node's "Options" collection (each operation shows the options it uses). */
export interface NodeOptions {
	backend?: BackendChoice;
	batchSize?: number;
	/** Image Cache (MB): resizes the process-wide image-embedding cache; 0 keeps the node out of it. */
	imageCacheMb?: number;
	/** Checked by `chosenResampling` (a workflow may hold the earlier name, `exact`, or an expression). */
	resampling?: string;
	logitScale?: number;
	logitBias?: number;
	maxImagePixels?: number;
	variant?: string;
	cacheDir?: string;
	offline?: boolean;
	outputField?: string;
	threads?: number;
	topK?: number;
}

function nonEmpty(value: unknown): string | undefined {
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** The "Image Resampling" option; workflows saved with the bit-exact mode's earlier name `exact` keep it. */
export function chosenResampling(context: IExecuteFunctions, options: NodeOptions): Resampling | undefined {
	if (options.resampling === undefined || options.resampling === '') return undefined;
	const resampling = parseResampling(String(options.resampling));
	if (!resampling) {
		throw new NodeOperationError(context.getNode(), `"${String(options.resampling)}" is not an image resampling mode`, { description: `Choose one of: ${RESAMPLINGS.join(', ')}.` });
	}
	return resampling;
}

/** The model as the user named it (a preset id, or the folder or repo typed in): what Embed Image writes as `model`. */
export function selectedModelName(context: IExecuteFunctions): string {
	const choice = context.getNodeParameter('model', 0) as string;
	return choice === CUSTOM_MODEL ? (context.getNodeParameter('customModel', 0) as string) : choice;
}

/** The model the node's parameters and (optional) Hugging Face credential name. */
export async function modelSelection(context: IExecuteFunctions, options: NodeOptions): Promise<ModelSelection> {
	const choice = context.getNodeParameter('model', 0) as string;
	// A folder outside the models cache is used only when the user typed it in "Model Folder or
	// Repo": the preset list never passes a path (or a repo) through, whatever the workflow JSON holds.
	if (choice !== CUSTOM_MODEL && !isValidPresetId(String(choice).trim())) {
		throw new NodeOperationError(context.getNode(), `"${choice}" is not a model preset`, {
			description: 'Choose a preset, or "Local Folder or Hugging Face Repo" to give a model folder or a Hugging Face repo.',
		});
	}
	const model = selectedModelName(context);
	if (choice === CUSTOM_MODEL && model.trim() !== '') {
		const ref = parseModelRef(model);
		// A typed folder is read under n8n's file-access rules; the node's own models cache is always allowed.
		if (ref.kind === 'local') await checkedFolderPath(context, ref.folder, 'The model folder', [resolveCacheDir(nonEmpty(options.cacheDir))]);
	}
	let credentials: Record<string, unknown> | undefined;
	try {
		credentials = (await context.getCredentials('huggingFaceHubApi')) as Record<string, unknown>;
	} catch {
		// The credential is optional: public models need none.
	}
	return {
		model,
		variant: options.variant,
		runtime: { intraOpThreads: options.threads ?? 0, backend: options.backend ?? 'auto' },
		hub: {
			cacheDir: nonEmpty(options.cacheDir),
			offline: options.offline || undefined,
			token: nonEmpty(credentials?.accessToken),
			endpoint: nonEmpty(credentials?.endpoint),
			log: (message: string) => context.logger.info(message),
			signal: context.getExecutionCancelSignal?.(),
		},
	};
}
