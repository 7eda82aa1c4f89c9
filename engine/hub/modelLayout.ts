import { HubError } from './hubErrors';

/**
 * How a repo arranges a CLIP model:
 * - `hf`: transformers.js / Optimum exports (`onnx/text_model.onnx`, `onnx/vision_model.onnx`
 *   or a combined `onnx/model.onnx`, with `_quantized`, `_fp16`… variants beside them, and
 *   the tokenizer/preprocessor JSON files at the root);
 * - `immich`: Immich's exports of OpenCLIP (`textual/model.onnx` + tokenizer files,
 *   `visual/model.onnx` + `preprocess_cfg.json`, `config.json` at the root).
 */
export type ModelLayout = 'hf' | 'immich';

export const MODEL_LAYOUTS: readonly ModelLayout[] = ['hf', 'immich'];

export const DEFAULT_VARIANT = 'fp32';

const HF_ROOT_FILES = /^(?:[^/]+\.json|merges\.txt|vocab\.txt|[^/]+\.model)$/;
const IMMICH_SIDE_FILES = /^(?:[^/]+\.json|(?:textual|visual)\/[^/]+\.json)$/;

export function detectLayout(files: readonly string[]): ModelLayout | undefined {
	const present = new Set(files);
	if (present.has('visual/model.onnx') && present.has('textual/model.onnx')) return 'immich';
	const hasTowers = files.some((f) => /^onnx\/vision_model(?:_[a-z0-9]+)?\.onnx$/.test(f)) && files.some((f) => /^onnx\/text_model(?:_[a-z0-9]+)?\.onnx$/.test(f));
	if (hasTowers || files.some((f) => /^onnx\/model(?:_[a-z0-9]+)?\.onnx$/.test(f))) return 'hf';
	return undefined;
}

/** Variants for which the repo has every ONNX file the layout needs. */
export function availableVariants(layout: ModelLayout, files: readonly string[]): string[] {
	if (layout === 'immich') return detectLayout(files) === 'immich' ? [DEFAULT_VARIANT] : [];
	const variants = new Set<string>();
	const present = new Set(files);
	for (const file of files) {
		const match = file.match(/^onnx\/(?:vision_model|text_model|model)(_[a-z0-9]+)?\.onnx$/);
		if (!match) continue;
		const suffix = match[1] ?? '';
		if (hfModelFiles(present, suffix) !== undefined) variants.add(suffix === '' ? DEFAULT_VARIANT : suffix.slice(1));
	}
	return [...variants].sort();
}

/**
 * The files to download for a variant: the ONNX graphs, their external-data files when the
 * repo has them (models over 2 GB cannot be a single protobuf), and the small JSON/tokenizer
 * files. Other variants' graphs are skipped: they are hundreds of megabytes each.
 */
export function selectLayoutFiles(layout: ModelLayout, files: readonly string[], variant: string, repo: string): string[] {
	const present = new Set(files);
	let models: string[] | undefined;
	let sideFiles: string[];
	if (layout === 'immich') {
		models = variant === DEFAULT_VARIANT && present.has('textual/model.onnx') && present.has('visual/model.onnx') ? ['textual/model.onnx', 'visual/model.onnx'] : undefined;
		sideFiles = files.filter((f) => IMMICH_SIDE_FILES.test(f));
	} else {
		models = hfModelFiles(present, variant === DEFAULT_VARIANT ? '' : `_${variant}`);
		sideFiles = files.filter((f) => HF_ROOT_FILES.test(f));
	}
	if (models === undefined) {
		const offered = availableVariants(layout, files);
		throw new HubError(
			'unsupported',
			`${repo} has no "${variant}" variant of its ONNX models (available: ${offered.length > 0 ? offered.join(', ') : 'none'}).`,
		);
	}
	const externalData = files.filter((f) => models.some((model) => isExternalDataOf(f, model)));
	return [...new Set([...sideFiles, ...models, ...externalData])];
}

export function isExternalDataOf(file: string, model: string): boolean {
	if (!file.startsWith(model)) return false;
	return /^(?:\.data|_data)(?:_\d+)?$/.test(file.slice(model.length));
}

function hfModelFiles(present: ReadonlySet<string>, suffix: string): string[] | undefined {
	const towers = [`onnx/text_model${suffix}.onnx`, `onnx/vision_model${suffix}.onnx`];
	if (towers.every((f) => present.has(f))) return towers;
	const combined = `onnx/model${suffix}.onnx`;
	return present.has(combined) ? [combined] : undefined;
}
