import imagenet from './imagenetTemplates.json';

/** Named template ensembles shipped with the package. */
export const PROMPT_ENSEMBLES = {
	imagenet80: imagenet.templates,
} as const satisfies Record<string, readonly string[]>;

export type PromptEnsembleName = keyof typeof PROMPT_ENSEMBLES;

/** Where the ImageNet ensemble comes from, for documentation and `--help`. */
export const IMAGENET_ENSEMBLE_SOURCE = imagenet.source;

export function isPromptEnsembleName(name: string): name is PromptEnsembleName {
	return Object.prototype.hasOwnProperty.call(PROMPT_ENSEMBLES, name);
}

/** A user's template list, one per line (blank lines dropped). */
export function parseTemplateList(text: string): string[] {
	return text
		.split(/\r?\n/)
		.map((line) => line.trim())
		.filter((line) => line !== '');
}
