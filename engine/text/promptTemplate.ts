export const DEFAULT_PROMPT_TEMPLATE = 'a photo of a {}.';

/** `{}` in the template is replaced by the class name; a template without `{}` gets the class appended. */
export function buildPrompt(template: string, className: string): string {
	if (template.includes('{}')) return template.split('{}').join(className);
	return template.trim() === '' ? className : `${template} ${className}`;
}
