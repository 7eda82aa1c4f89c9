import { EngineError } from '../errors';
import type { ClipModel } from '../model/clipModel';
import { blendTextIntoPrototype, classPrototype } from '../scoring/classPrototype';
import { exampleScale } from '../scoring/exampleScoring';
import { classListProblem } from '../text/classList';
import { classPrompts } from '../text/classPrompts';
import { DEFAULT_PROMPT_TEMPLATE } from '../text/promptTemplate';
import type { ExampleClassEmbeddings } from './embedExampleImages';

/** Images only: on the measured task the label's prompt adds nothing (docs/classes-from-examples.md). */
export const DEFAULT_TEXT_WEIGHT = 0;

/** Classes defined by examples, ready to score images against. */
export interface ExampleClassSet {
	readonly labels: string[];
	/** One L2-normalized embedding per class (prototype, blended with the prompt when asked). */
	readonly embeddings: Float32Array[];
	/** The softmax scale for these classes (`exampleScale`). */
	readonly scale: number;
}

export interface ExampleClassOptions {
	/** 0–1: how much of the label's prompt embedding goes into each class (0: images only). */
	readonly textWeight?: number;
	/** The prompt template(s) the label goes through, as for text classes. */
	readonly templates?: readonly string[];
}

/**
 * Turns example embeddings into classes: each class the L2-normalized mean of its examples,
 * optionally blended with its label's prompt embedding (same templates and ensemble code as text
 * classes). Every example must have the model's dimension: an error names the one that does not
 * (made by another model, or cut short).
 */
export async function exampleClassSet(model: ClipModel, classes: readonly ExampleClassEmbeddings[], options: ExampleClassOptions = {}): Promise<ExampleClassSet> {
	const labels = classes.map((c) => c.label);
	const problem = classListProblem(labels);
	if (problem) throw problem;
	const textWeight = options.textWeight ?? DEFAULT_TEXT_WEIGHT;
	if (!(textWeight >= 0 && textWeight <= 1)) throw new EngineError('CLASS_LIST', `Text Weight must be between 0 and 1, got ${textWeight}`);
	const templates = options.templates && options.templates.length > 0 ? options.templates : [DEFAULT_PROMPT_TEMPLATE];
	const texts = textWeight > 0 ? await model.embedClasses(labels.map((label) => classPrompts(label, templates))) : undefined;
	const dimension = model.descriptor.embeddingSize ?? texts?.[0].length ?? (await model.embedPrompts(['']))[0].length;
	for (const c of classes) {
		if (c.embeddings.length === 0) throw new EngineError('CLASS_LIST', `class "${c.label}" has no example`, 'Give every class at least one example image.');
		c.embeddings.forEach((embedding, k) => {
			if (embedding.length !== dimension) {
				throw new EngineError(
					'CLASS_LIST',
					`${c.sources[k] ?? `example ${k + 1} of class "${c.label}"`} has ${embedding.length} dimensions, the model's embeddings ${dimension}: it was made by another model`,
					'Embed the examples with the model this node runs.',
				);
			}
		});
	}
	const embeddings = classes.map((c, i) => {
		const prototype = classPrototype(c.label, c.embeddings);
		return texts ? blendTextIntoPrototype(prototype, texts[i], textWeight) : prototype;
	});
	return { labels, embeddings, scale: exampleScale(embeddings) };
}
