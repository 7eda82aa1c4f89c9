import type { IExecuteFunctions } from 'n8n-workflow';
import { EngineError, parseClassList } from '../../../../engine';

/** An item's classes: the labels as they appear in the result, and optional per-class descriptions. */
export interface ItemClasses {
	readonly labels: string[];
	readonly descriptions?: Array<string | undefined>;
}

interface DescribedClass {
	label?: unknown;
	description?: unknown;
}

export function itemClasses(context: IExecuteFunctions, index: number): ItemClasses {
	if (context.getNodeParameter('classDefinition', index, 'names') !== 'descriptions') {
		return { labels: parseClassList(context.getNodeParameter('classes', index)) };
	}
	const entries = context.getNodeParameter('classDescriptions.classes', index, []) as DescribedClass[];
	const labels = entries.map((entry, c) => {
		const label = typeof entry.label === 'string' ? entry.label.trim() : '';
		if (label === '') throw new EngineError('CLASS_LIST', `class ${c + 1} of "Classes with Descriptions" has no label`);
		return label;
	});
	const descriptions = entries.map((entry) => (typeof entry.description === 'string' && entry.description.trim() !== '' ? entry.description.trim() : undefined));
	// parseClassList refuses an empty list and duplicate labels, as for the plain list.
	return { labels: parseClassList(labels), descriptions };
}
