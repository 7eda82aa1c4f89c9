import type { IExecuteFunctions } from 'n8n-workflow';
import {
	DEFAULT_TEXT_WEIGHT,
	EngineError,
	exampleClassSet,
	folderExampleClasses,
	type ClipModel,
	type ExampleClassEmbeddings,
	type ExampleClassSet,
	type Resampling,
} from '../../../../engine';
import { checkedFolderPath } from '../../shared/fileAccess';
import type { NodeOptions } from '../../shared/modelSelection';

/** "Classes From" values that define the classes by examples instead of text. */
export const EXAMPLE_SOURCES = ['exampleImages', 'exampleEmbeddings'] as const;
export type ExampleSource = (typeof EXAMPLE_SOURCES)[number];

export function exampleSource(context: IExecuteFunctions): ExampleSource | undefined {
	const value = context.getNodeParameter('classDefinition', 0, 'names');
	return (EXAMPLE_SOURCES as readonly unknown[]).includes(value) ? (value as ExampleSource) : undefined;
}

export interface NodeExampleClasses {
	readonly classes: ExampleClassSet;
	/** Skipped files and cache problems, shown on the output items. */
	readonly notes: readonly string[];
}

interface RunSettings {
	readonly options: NodeOptions;
	readonly resampling: Resampling | undefined;
	readonly templates: string[] | undefined;
	/** With One Branch per Class: the classes the outputs were drawn for, in output order. */
	readonly outputs: readonly string[] | undefined;
}

/**
 * The example classes of the node's parameters: from the examples folder (read under n8n's
 * file-access rules, embeddings cached beside the models) or from a JSON list of embeddings.
 * With One Branch per Class they must be exactly the classes the outputs were drawn for, and
 * come back in output order.
 */
export async function nodeExampleClasses(context: IExecuteFunctions, model: ClipModel, source: ExampleSource, settings: RunSettings): Promise<NodeExampleClasses> {
	const textWeight = context.getNodeParameter('textWeight', 0, DEFAULT_TEXT_WEIGHT) as number;
	const { options } = settings;
	let classes: ExampleClassSet;
	let notes: readonly string[] = [];
	if (source === 'exampleImages') {
		const typed = String(context.getNodeParameter('examplesFolder', 0, '')).trim();
		if (typed === '') throw new EngineError('CLASS_LIST', 'Examples Folder is empty', 'Give the folder that holds one subfolder of example images per class.');
		const folder = await checkedFolderPath(context, typed, 'The examples folder');
		const fromFolder = await folderExampleClasses(model, folder, {
			textWeight,
			templates: settings.templates,
			cacheDir: options.cacheDir?.trim() || undefined,
			batchSize: options.batchSize,
			resampling: settings.resampling,
			maxPixels: options.maxImagePixels,
			signal: context.getExecutionCancelSignal?.(),
		});
		classes = fromFolder.classes;
		notes = fromFolder.notes;
		context.logger.debug(`Example classes from ${folder}: ${fromFolder.embedded} example(s) embedded, ${fromFolder.fromCache} from the cache`);
	} else {
		classes = await exampleClassSet(model, parseExampleEmbeddings(context.getNodeParameter('exampleEmbeddings', 0, '[]')), { textWeight, templates: settings.templates });
	}
	return { classes: settings.outputs ? inOutputOrder(classes, settings.outputs, source) : classes, notes };
}

/**
 * Example embeddings as a JSON list (or the list an expression gives): `{label, embedding}` per
 * example, several entries per label for several examples. Extra fields (Embed Image's `model`,
 * `dimension`) are ignored.
 */
export function parseExampleEmbeddings(value: unknown): ExampleClassEmbeddings[] {
	let list = value;
	if (typeof value === 'string') {
		const parsed = parsedJson(value);
		if ('problem' in parsed) {
			throw new EngineError('CLASS_LIST', `Example Embeddings is not valid JSON (${parsed.problem})`, 'Give a list of {"label": ..., "embedding": [...]}, or an expression returning one.');
		}
		list = parsed.value;
	}
	if (!Array.isArray(list) || list.length === 0) {
		throw new EngineError('CLASS_LIST', 'Example Embeddings must be a non-empty list of {label, embedding}', 'Each entry is one example: {"label": "receipt", "embedding": [0.01, ...]}.');
	}
	const byLabel = new Map<string, { embeddings: Float32Array[]; sources: string[] }>();
	list.forEach((entry: unknown, k) => {
		const where = `entry ${k + 1} of Example Embeddings`;
		const record = entry && typeof entry === 'object' ? (entry as { label?: unknown; embedding?: unknown }) : {};
		const label = typeof record.label === 'string' ? record.label.trim() : '';
		if (label === '') throw new EngineError('CLASS_LIST', `${where} has no label`);
		const embedding = record.embedding;
		if (!Array.isArray(embedding) || embedding.length === 0 || !embedding.every((v) => typeof v === 'number' && Number.isFinite(v))) {
			throw new EngineError('CLASS_LIST', `${where} (class "${label}") has no embedding: it must be a list of numbers`);
		}
		let own = byLabel.get(label);
		if (!own) byLabel.set(label, (own = { embeddings: [], sources: [] }));
		own.embeddings.push(normalized(embedding as number[]));
		own.sources.push(`${where} (class "${label}")`);
	});
	return [...byLabel].map(([label, { embeddings, sources }]) => ({ label, embeddings, sources }));
}

function parsedJson(text: string): { value: unknown } | { problem: string } {
	try {
		return { value: JSON.parse(text) as unknown };
	} catch (error) {
		return { problem: (error as Error).message };
	}
}

/** Stored embeddings are usually normalized already; a rounded or hand-made one is made so. */
function normalized(values: readonly number[]): Float32Array {
	const out = Float32Array.from(values);
	let sum = 0;
	for (const v of out) sum += v * v;
	const norm = Math.sqrt(sum);
	if (norm > 0) for (let i = 0; i < out.length; i++) out[i] /= norm;
	return out;
}

function inOutputOrder(classes: ExampleClassSet, outputs: readonly string[], source: ExampleSource): ExampleClassSet {
	const where = source === 'exampleImages' ? 'the examples folder' : 'Example Embeddings';
	const missing = outputs.filter((label) => !classes.labels.includes(label));
	if (missing.length > 0) {
		throw new EngineError(
			'CLASS_LIST',
			`${where} has no class ${missing.map((l) => `"${l}"`).join(', ')}${source === 'exampleImages' ? ' (no subfolder of that name)' : ''}`,
			'With One Branch per Class the outputs are the classes typed in Classes: the examples must hold exactly those classes.',
		);
	}
	const extra = classes.labels.filter((label) => !outputs.includes(label));
	if (extra.length > 0) {
		throw new EngineError(
			'CLASS_LIST',
			`${where} has the class ${extra.map((l) => `"${l}"`).join(', ')}, which is not one of the node's outputs (${outputs.join(', ')})`,
			'Add it to Classes (n8n then draws an output for it), or remove it from the examples.',
		);
	}
	const order = outputs.map((label) => classes.labels.indexOf(label));
	return { labels: order.map((c) => classes.labels[c]), embeddings: order.map((c) => classes.embeddings[c]), scale: classes.scale };
}
