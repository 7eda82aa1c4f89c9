import { buildPrompt } from './promptTemplate';

/**
 * The prompts that stand for one class: its description verbatim when it has one (a user's own
 * wording beats any template), else the label through every template of the ensemble.
 */
export function classPrompts(label: string, templates: readonly string[], description?: string): string[] {
	if (description !== undefined && description.trim() !== '') return [description.trim()];
	return [...new Set(templates.map((template) => buildPrompt(template, label)))];
}

/**
 * The text-embedding cache key of a class's prompt set: a lone prompt is its own key (shared with
 * every other use of that prompt), an ensemble is keyed by all of its prompts in order, so two
 * ensembles, or an ensemble and a single prompt, never share an embedding.
 */
export function promptSetKey(prompts: readonly string[]): string {
	return prompts.length === 1 ? prompts[0] : `\u0000ensemble${JSON.stringify(prompts)}`;
}
