import { resolveModelFolder, type ResolveModelOptions } from './hub';
import type { ClipModel } from './model/clipModel';
import { sharedModelRegistry, type ModelRegistry } from './model/modelRegistry';
import type { RuntimeOptions } from './onnx/runtimeOptions';

/** Which model to use, as the node and the CLI let a user name it. */
export interface ModelSelection {
	/** A preset id, a local folder path, or a Hub repo `owner/name[@revision]`. */
	readonly model: string;
	readonly variant?: string;
	readonly runtime?: RuntimeOptions;
	/** Where and how Hub models are fetched (cache folder, endpoint, token, offline). */
	readonly hub?: Omit<ResolveModelOptions, 'variant'>;
	readonly registry?: ModelRegistry;
}

/**
 * Resolves the model (downloading it once when it is a preset or Hub repo not yet cached),
 * then runs `work` with the process-wide loaded instance.
 */
export async function withModel<T>(selection: ModelSelection, work: (model: ClipModel) => Promise<T>): Promise<T> {
	const variant = selection.variant?.trim() || undefined;
	const resolved = await resolveModelFolder(selection.model.trim(), { ...selection.hub, variant });
	const registry = selection.registry ?? sharedModelRegistry;
	return registry.use(
		resolved.folder,
		{ variant: variant ?? resolved.variant ?? resolved.preset?.defaultVariant, runtime: selection.runtime, logitScale: resolved.preset?.logitScale, logitBias: resolved.preset?.logitBias },
		work,
	);
}
