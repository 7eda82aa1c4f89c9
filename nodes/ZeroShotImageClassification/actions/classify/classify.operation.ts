import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import {
	checkedMatchRule,
	EngineError,
	matchedClasses,
	sharedModelRegistry,
	withModel,
	type Classification,
	type MatchRule,
} from '../../../../engine';
import { imageCacheFor } from '../../shared/imageCache';
import { failedItem, sortedFailures } from '../../shared/itemFailures';
import { batchedClassificationJson, classificationJson, outputItem } from '../../shared/itemOutput';
import { chosenResampling, modelSelection, selectedModelName, type NodeOptions } from '../../shared/modelSelection';
import { itemImages } from '../../shared/readItemImage';
import { classifyProperties } from './classifyProperties';
import { classifyRequests, classifyRequestsByExamples, type ItemRequest } from './classifyRequests';
import { promptTemplates } from './classPrompts';
import { exampleSource, nodeExampleClasses } from './exampleClasses';
import { itemEmbeddings } from './itemEmbeddings';
import { itemClasses, type ItemClasses } from './itemClasses';
import { routeItems, type ItemOutcome } from './routeItems';

export const description = classifyProperties;

interface PendingItem {
	readonly index: number;
	readonly rule: MatchRule;
	readonly requests: ItemRequest[];
	readonly batched: boolean;
}

/** An error of one image (or stored embedding) of a batched item, saying which. */
function inBatch(cause: Error, position: number, count: number, what: 'image' | 'embedding'): Error {
	const message = `${what} ${position + 1} of ${count}: ${cause.message}`;
	return cause instanceof EngineError ? new EngineError(cause.code, message, cause.hint) : new Error(message);
}

/** The class labels n8n drew outputs for (One Branch per Class), and whether "Other" is one of them. */
function routedOutputs(context: IExecuteFunctions): { labels: string[]; other: boolean } {
	const other = context.getNodeParameter('unmatched', 0, 'other') !== 'discard';
	const drawn = context.getNodeOutputs().filter((output) => output.category !== 'error');
	const names = drawn.map((output) => output.displayName).filter((name): name is string => typeof name === 'string');
	const labels = other ? names.slice(0, -1) : names;
	if (labels.length === 1 && labels[0] === 'Classes unknown') {
		throw new NodeOperationError(context.getNode(), 'One Branch per Class: the classes could not be read to draw the outputs', {
			description:
				'n8n draws the outputs when the workflow is built, before any item arrives: type the classes in, or use an expression that needs no input item (e.g. {{ $vars.imageClasses }}).',
		});
	}
	return { labels, other };
}

function routingProblem(classes: ItemClasses, outputs: readonly string[]): EngineError | undefined {
	if (classes.labels.length === outputs.length && classes.labels.every((label, c) => label === outputs[c])) return undefined;
	return new EngineError(
		'CLASS_LIST',
		`its classes (${classes.labels.join(', ')}) are not the node's outputs (${outputs.join(', ')})`,
		'With One Branch per Class every item must have the same classes, the ones the outputs were drawn for: an expression that gives items different class lists cannot route them.',
	);
}

/** What item `index` asks to classify: its image(s), or the embedding(s) stored on it. */
function itemRequests(context: IExecuteFunctions, index: number, source: string, classes: ItemClasses): { requests: ItemRequest[]; batched: boolean } {
	const { labels, descriptions } = classes;
	if (source === 'embedding') {
		const { embeddings, batched } = itemEmbeddings(context, index, selectedModelName(context));
		return { requests: embeddings.map((embedding) => ({ embedding, classes: labels, descriptions })), batched };
	}
	const { loaders, batched } = itemImages(context, index, source);
	return { requests: loaders.map((image) => ({ image, classes: labels, descriptions })), batched };
}

/**
 * Classify: every item's image scored against its classes. One output with the scores on each
 * item, or (One Branch per Class) each item on the output of the class(es) it matched.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const routing = this.getNodeParameter('output', 0, 'single') === 'perClass';
	const options = this.getNodeParameter('options', 0, {}) as NodeOptions;
	const resampling = chosenResampling(this, options);
	const outputs = routing ? routedOutputs(this) : undefined;
	const templates = promptTemplates(this);
	// Classes from examples are the node's, read once; text classes may differ per item.
	const examples = exampleSource(this);

	const done = new Map<number, { item: INodeExecutionData; matches: number[] }>();
	const failures = new Map<number, Error>();
	const pending: PendingItem[] = [];

	// Per-item parameters first: a bad item is reported (or skipped) without touching the model.
	for (let i = 0; i < items.length; i++) {
		try {
			// Read per item: an expression may set them from the item (the HTTP example does), and a
			// bad value fails that item only, where a node-level throw under "Continue" would pass the
			// input through unscored.
			const rule = checkedMatchRule(
				this.getNodeParameter('options.confidenceThreshold', i, 0) as number,
				this.getNodeParameter('options.multiLabel', i, false) as boolean,
			);
			const classes: ItemClasses = examples ? { labels: [] } : itemClasses(this, i);
			if (outputs && !examples) {
				const problem = routingProblem(classes, outputs.labels);
				if (problem) throw problem;
			}
			const source = this.getNodeParameter('imageSource', i, 'binary') as string;
			const { requests, batched } = itemRequests(this, i, source, classes);
			if (batched && routing) {
				throw new EngineError('CLASS_LIST', `its JSON field holds a list of ${source === 'embedding' ? 'embeddings' : 'images'}, and One Branch per Class routes one image per item`, 'Split the list into one item per image first (Split Out node).');
			}
			pending.push({ index: i, rule, requests, batched });
		} catch (error) {
			failures.set(i, error as Error);
		}
	}

	if (pending.length > 0) {
		try {
			let notes: readonly string[] = [];
			const results = await withModel(await modelSelection(this, options), async (model) => {
				// The process-wide load count shows that a process loads a model once, not per execution
				// (checked by the queue-mode e2e test, one count per worker).
				this.logger.debug(`Zero-shot classification of ${pending.length} item(s) with ${model.descriptor.folder} (model loads in this process: ${sharedModelRegistry.loads})`);
				if (examples) {
					const fromExamples = await nodeExampleClasses(this, model, examples, { options, resampling, templates, outputs: outputs?.labels });
					notes = fromExamples.notes;
					return await classifyRequestsByExamples(
						model,
						pending.flatMap((p) => p.requests),
						fromExamples.classes,
						{ batchSize: options.batchSize, cache: imageCacheFor(options.imageCacheMb), resampling, maxPixels: options.maxImagePixels, signal: this.getExecutionCancelSignal?.() },
					);
				}
				return await classifyRequests(
					model,
					pending.flatMap((p) => p.requests),
					{
						templates,
						batchSize: options.batchSize,
						cache: imageCacheFor(options.imageCacheMb),
						resampling,
						maxPixels: options.maxImagePixels,
						logitScale: options.logitScale ? options.logitScale : undefined,
						logitBias: options.logitBias ? options.logitBias : undefined,
						signal: this.getExecutionCancelSignal?.(),
					},
				);
			});
			let next = 0;
			for (const { index, rule, requests, batched } of pending) {
				const own = results.slice(next, next + requests.length);
				next += requests.length;
				const failed = own.findIndex((r) => r instanceof Error);
				if (failed >= 0) {
					const cause = own[failed] as Error;
					failures.set(index, batched ? inBatch(cause, failed, own.length, 'embedding' in requests[0] ? 'embedding' : 'image') : cause);
					continue;
				}
				const classified = own as Classification[];
				const matches = classified.map((r) => matchedClasses(r.probabilities, rule));
				const showMatches = routing || rule.threshold > 0 || rule.multiLabel;
				const labels = showMatches ? matches.map((m, k) => m.map((c) => classified[k].classes[c])) : undefined;
				const json = batched
					? batchedClassificationJson(classified, options.topK ?? 0, labels)
					: classificationJson(classified[0], options.topK ?? 0, labels?.[0]);
				if (notes.length > 0) json.notes = [...notes];
				done.set(index, { item: outputItem(items[index], index, json, options.outputField ?? ''), matches: matches[0] });
			}
		} catch (error) {
			// The model could not be used at all: every pending item fails with the same cause.
			for (const { index } of pending) failures.set(index, error as Error);
		}
	}

	const failed = new Map(sortedFailures(failures).map(([index, error]) => [index, failedItem(this, index, error)]));
	const outcomes: ItemOutcome[] = items.map((_, index) => {
		const item = failed.get(index);
		return item ? { item, failed: true } : (done.get(index) as { item: INodeExecutionData; matches: number[] });
	});
	if (!outputs) return [outcomes.map((outcome) => outcome.item)];
	return routeItems(outcomes, outputs.labels.length, outputs.other);
}
