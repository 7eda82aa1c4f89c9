import type { IDisplayOptions, INodeProperties, INodePropertyCollection, INodePropertyOptions, NodeParameterValueType } from 'n8n-workflow';

/** How links in the node's descriptions become links in the docs: pages under `docsBaseUrl` become relative. */
export interface TableLinks {
	/** The base URL the node's descriptions link the docs with (ends with `/`). */
	readonly docsBaseUrl: string;
	/** The page the table goes into (e.g. `usage.md`): links to its own sections become `#section`. */
	readonly page?: string;
}

type Choice = INodePropertyOptions | INodeProperties | INodePropertyCollection;

const HEADER = ['| Parameter | Type | Default | Shown when | Description |', '| --- | --- | --- | --- | --- |'];

/** A table cell: no line breaks (they end the row) and no bare pipes (they split it). */
function cell(text: string): string {
	return text.replace(/\r?\n/g, '<br>').replace(/\|/g, '\\|').trim();
}

function code(text: string): string {
	return text === '' ? '' : `\`${text.replace(/`/g, 'ʼ')}\``;
}

/** n8n descriptions link with `<a href>`; in the docs the pages they name are sibling files. */
function markdownText(text: string, links: TableLinks): string {
	return text.replace(/<a href="([^"]+)"[^>]*>(.*?)<\/a>/g, (_match, href: string, label: string) => {
		const relative = href.startsWith(links.docsBaseUrl) ? href.slice(links.docsBaseUrl.length) : href;
		const target = links.page !== undefined && relative.startsWith(`${links.page}#`) ? relative.slice(links.page.length) : relative;
		return `[${label}](${target})`;
	});
}

function typeLabel(property: INodeProperties): string {
	const { minValue, maxValue, multipleValues } = property.typeOptions ?? {};
	const range =
		property.type === 'number' && (minValue !== undefined || maxValue !== undefined)
			? ` (${minValue !== undefined ? `≥ ${minValue}` : ''}${minValue !== undefined && maxValue !== undefined ? ', ' : ''}${maxValue !== undefined ? `≤ ${maxValue}` : ''})`
			: '';
	const repeated = property.type === 'fixedCollection' && multipleValues ? ' (repeatable)' : '';
	return `${property.type}${range}${repeated}`;
}

function defaultLabel(property: INodeProperties): string {
	const value: NodeParameterValueType = property.default;
	if (property.type === 'collection' || property.type === 'fixedCollection' || property.type === 'notice') return '';
	if (property.type === 'options' && property.options) {
		const chosen = (property.options as Choice[]).find((option) => 'value' in option && option.value === value);
		if (chosen) return chosen.name;
	}
	if (typeof value === 'string') return value === '' ? '(empty)' : value.split('\n').map(code).join('<br>');
	return code(JSON.stringify(value));
}

/** The parameter a displayOptions key names: `model`, `/model` (from the root) or `options.logitScale` (a collection's option). */
function namedParameter(key: string, all: readonly INodeProperties[]): { label: string; parameter?: INodeProperties } {
	const [first, ...rest] = key.replace(/^\//, '').split('.');
	if (rest.length === 0) {
		const parameter = all.find((candidate) => candidate.name === first);
		return { label: parameter?.displayName ?? first, parameter };
	}
	for (const collection of all.filter((candidate) => candidate.name === first && candidate.type === 'collection')) {
		const parameter = ((collection.options ?? []) as INodeProperties[]).find((option) => option.name === rest.join('.'));
		if (parameter) return { label: `${collection.displayName} › ${parameter.displayName}`, parameter };
	}
	return { label: key };
}

/** One value of a displayOptions condition: a choice by its name, a `_cnd` comparison in words. */
function conditionValue(value: unknown, parameter: INodeProperties | undefined): string {
	if (typeof value === 'object' && value !== null && '_cnd' in value) {
		const [kind, target] = Object.entries((value as { _cnd: Record<string, unknown> })._cnd)[0] ?? [];
		if (kind === 'regex' && target === '^=') return 'an expression';
		const words: Record<string, string> = { eq: '', not: 'not ', gt: 'above ', lt: 'below ', gte: 'at least ', lte: 'at most ', startsWith: 'starting with ', endsWith: 'ending with ', includes: 'containing ', regex: 'matching ' };
		if (kind === 'exists') return 'set';
		return `${words[kind] ?? `${kind} `}${code(JSON.stringify(target))}`;
	}
	const choice = ((parameter?.options ?? []) as Choice[]).find((option) => 'value' in option && option.value === value);
	return choice ? choice.name : code(JSON.stringify(value));
}

/** "Model is Local Folder or Hugging Face Repo": a displayOptions condition in the editor's words. */
function conditionLabel(key: string, values: readonly unknown[], all: readonly INodeProperties[], hidden: boolean): string {
	const { label, parameter } = namedParameter(key, all);
	const named = values.map((value) => conditionValue(value, parameter));
	if (!hidden) return `${label} is ${named.join(' or ')}`;
	return named.length === 1 ? `${label} is not ${named[0]}` : `${label} is none of: ${named.join(', ')}`;
}

/** When the editor shows the parameter, leaving out the operation the table is for. */
function shownWhen(displayOptions: IDisplayOptions | undefined, all: readonly INodeProperties[]): string {
	const parts = (conditions: IDisplayOptions['show'], hidden: boolean) =>
		Object.entries(conditions ?? {})
			.filter(([name]) => name !== 'operation')
			.map(([name, values]) => conditionLabel(name, values ?? [], all, hidden));
	return [...parts(displayOptions?.show, false), ...parts(displayOptions?.hide, true)].join('\nand ') || 'always';
}

function choicesList(property: INodeProperties, links: TableLinks): string {
	if (property.type !== 'options' && property.type !== 'multiOptions') return '';
	return ((property.options ?? []) as INodePropertyOptions[])
		.map((option) => `${code(String(option.value))} ${option.name}${option.description ? `: ${markdownText(option.description, links)}` : ''}`)
		.join('\n');
}

function descriptionText(property: INodeProperties, links: TableLinks): string {
	const own = property.type === 'notice' ? property.displayName : (property.description ?? '');
	const hint = property.hint ? `Hint: ${property.hint}` : '';
	return [markdownText(own, links), markdownText(hint, links), choicesList(property, links)].filter((part) => part !== '').join('\n');
}

function rows(property: INodeProperties, path: readonly string[], all: readonly INodeProperties[], links: TableLinks): string[] {
	const name = [...path, property.type === 'notice' ? '(notice)' : property.displayName].join(' › ');
	const row = `| ${cell(`**${name}**${property.type === 'notice' ? '' : ` ${code(property.name)}`}`)} | ${cell(typeLabel(property))} | ${cell(defaultLabel(property))} | ${cell(shownWhen(property.displayOptions, all))} | ${cell(descriptionText(property, links))} |`;
	const nested: string[] = [];
	if (property.type === 'collection') {
		for (const option of (property.options ?? []) as INodeProperties[]) nested.push(...rows(option, [...path, property.displayName], all, links));
	}
	if (property.type === 'fixedCollection') {
		for (const group of (property.options ?? []) as INodePropertyCollection[]) {
			for (const value of group.values) nested.push(...rows(value, [...path, property.displayName, group.displayName], all, links));
		}
	}
	return [row, ...nested];
}

/** Whether the editor can show the property for this operation (its displayOptions allow it). */
export function appliesToOperation(property: INodeProperties, operation: string): boolean {
	const shown = property.displayOptions?.show?.operation;
	const hidden = property.displayOptions?.hide?.operation;
	return (shown === undefined || shown.includes(operation)) && (hidden === undefined || !hidden.includes(operation));
}

/**
 * The Markdown table of one operation's parameters, in the editor's order: the node-wide ones
 * (the operation selector itself left out) and the operation's own, collection options and
 * fixed-collection fields as rows of their own under their parent.
 */
export function parameterTable(operation: string, properties: readonly INodeProperties[], links: TableLinks): string {
	const applicable = properties.filter((property) => property.name !== 'operation' && appliesToOperation(property, operation));
	return [...HEADER, ...applicable.flatMap((property) => rows(property, [], properties, links))].join('\n');
}
