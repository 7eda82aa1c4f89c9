import type { INodeProperties } from 'n8n-workflow';
import { loadPresets, type PresetManifest } from '../../../../engine/hub';
import { docsLink } from '../../shared/docsLinks';
import { CUSTOM_MODEL } from '../../shared/modelOptions';

/** A graph holding both towers (`onnx/model.onnx`, `onnx/model_quantized.onnx`…): the engine reads SigLIP's scale and bias from it. */
const COMBINED_GRAPH = /^onnx\/model(?:_[a-z0-9]+)?\.onnx$/;

/**
 * Whether Classify with this preset needs Logit Scale and Logit Bias typed in: a SigLIP preset that
 * pins neither pair and downloads no combined graph (the engine never guesses a bias).
 */
export function presetNeedsLogitValues(preset: PresetManifest): boolean {
	if (preset.family !== 'siglip') return false;
	if (preset.logitScale !== undefined && preset.logitBias !== undefined) return false;
	const files = preset.source.files.filter((file) => file.variant === undefined || file.variant === preset.defaultVariant);
	return !files.some((file) => COMBINED_GRAPH.test(file.path));
}

/**
 * Conditions true for a value given, even by an expression. The editor tests them on the raw
 * value: a number, a `={{ … }}` string, or undefined while the option is not added (never true).
 */
const given = (canBeNegative: boolean) => [{ _cnd: { gt: 0 } }, ...(canBeNegative ? [{ _cnd: { lt: 0 } }] : []), { _cnd: { regex: '^=' } }];

/**
 * The editor's notice on Classify when the chosen preset carries no SigLIP scale and bias and
 * neither option is set. The editor cannot look into a model folder, so the notice is for presets
 * known to lack them; a folder or repo that lacks them fails at run time, naming the cause. Only
 * `hide` conditions: n8n shows a parameter at once when a `show` condition meets an expression,
 * so a model given by an expression (the HTTP API workflow) must hide it, not fail to show it.
 */
export function siglipScoringNotice(presets: readonly PresetManifest[] = safePresets()): INodeProperties[] {
	const needy = presets.filter(presetNeedsLogitValues).map((preset) => preset.id);
	if (needy.length === 0) return [];
	const others = [...presets.filter((preset) => !needy.includes(preset.id)).map((preset) => preset.id), CUSTOM_MODEL];
	return [
		{
			displayName: `This model’s files carry no SigLIP logit scale or bias: to classify, set Logit Scale and Logit Bias under Options to the model’s trained values. ${docsLink('SigLIP', 'siglip')}.`,
			name: 'siglipScoringNotice',
			type: 'notice',
			default: '',
			displayOptions: {
				show: { operation: ['classify'] },
				hide: {
					model: [...others, { _cnd: { regex: '^=' } }],
					// From the root ("/"): n8n orders parameters by their displayOptions dependencies and
					// can order only top-level names; a root path is taken as resolved.
					'/options.logitScale': given(false),
					'/options.logitBias': given(true),
				},
			},
		},
	];
}

function safePresets(): PresetManifest[] {
	try {
		return loadPresets();
	} catch {
		// A broken manifest must not stop n8n from loading the node (modelOptions says so too).
		return [];
	}
}
