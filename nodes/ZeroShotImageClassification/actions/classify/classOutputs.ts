import type { INodeOutputConfiguration, INodeParameters } from 'n8n-workflow';

/**
 * The node's outputs from its own parameters: one output, or (One Branch per Class) one per
 * class named by it, then "Other" unless unmatched items are discarded.
 *
 * n8n serialises this function into the node description (`outputs: '={{(…)($parameter)}}'`)
 * and runs it in the editor and the engine: it must be self-contained (no imports, no helpers)
 * and must not throw. It mirrors `parseClassList`: comma-separated or an array, trimmed, blanks
 * dropped. Classes it cannot read (an expression that needs the items) give one placeholder
 * output, which the operation then reports as a clear error.
 */
export function classOutputs(parameters: INodeParameters): INodeOutputConfiguration[] {
	const read = (name: string): unknown => {
		try {
			return parameters[name];
		} catch {
			return undefined;
		}
	};
	const operation = read('operation');
	if ((operation !== undefined && operation !== 'classify') || read('output') !== 'perClass') return [{ type: 'main' }];
	let labels: string[] = [];
	if (read('classDefinition') === 'descriptions') {
		const collection = read('classDescriptions');
		const entries = collection && typeof collection === 'object' ? (collection as { classes?: unknown }).classes : undefined;
		if (Array.isArray(entries)) labels = entries.map((entry) => (entry && typeof entry === 'object' ? String((entry as { label?: unknown }).label ?? '') : ''));
	} else {
		const classes = read('classes');
		if (Array.isArray(classes)) labels = classes.map((c) => (c === null || c === undefined ? '' : String(c)));
		else if (typeof classes === 'string' && !classes.startsWith('=')) labels = classes.split(',');
	}
	labels = labels.map((label) => label.trim()).filter((label) => label !== '');
	const outputs: INodeOutputConfiguration[] = labels.map((label) => ({ type: 'main', displayName: label }));
	if (outputs.length === 0) outputs.push({ type: 'main', displayName: 'Classes unknown' });
	if (read('unmatched') !== 'discard') outputs.push({ type: 'main', displayName: 'Other' });
	return outputs;
}

/**
 * Name of the placeholder output drawn when the classes cannot be read when the workflow is
 * built. Spelled out in `classOutputs` too, which may not refer to anything outside itself.
 */
export const UNKNOWN_CLASSES_OUTPUT = 'Classes unknown';
