import { embedImages, type ImageEmbeddingOptions, type ImageInput } from '../embed/embedImages';
import type { ClipModel } from '../model/clipModel';
import { batchProbabilities, packClasses, type PackedClasses } from '../scoring/batchScores';
import type { ScoringKind, ScoringRule } from '../scoring/scoringRule';
import { classListProblem } from '../text/classList';
import { classPrompts } from '../text/classPrompts';
import { DEFAULT_PROMPT_TEMPLATE } from '../text/promptTemplate';
import { EngineError } from '../errors';
import { classificationScoring } from './classificationScoring';

/** One image to classify against its own class list. */
export interface ClassificationRequest {
	readonly image: ImageInput;
	/** The labels, as they appear in the result. */
	readonly classes: readonly string[];
	/**
	 * Per class (same order), a description used verbatim as its prompt instead of the label
	 * through the template(s); missing or blank entries fall back to the label.
	 */
	readonly descriptions?: readonly (string | undefined)[];
}

export interface Classification {
	/** One per class, in the order of `classes`: summing to 1 under softmax, each in [0, 1] on its own under sigmoid. */
	readonly probabilities: number[];
	readonly classes: string[];
	readonly label: string;
	readonly score: number;
	/** How the scores were computed: the model's rule for text classes, `examples` for classes from example images. */
	readonly scoring: ScoringKind | 'examples';
}

export interface ClassifyOptions extends ImageEmbeddingOptions {
	readonly template?: string;
	/** A prompt ensemble: every class is embedded through each template and the embeddings averaged. Wins over `template`. */
	readonly templates?: readonly string[];
	/** Overrides the model's logit scale (the multiplier, e.g. 100). */
	readonly logitScale?: number;
	/** Overrides a SigLIP model's logit bias. */
	readonly logitBias?: number;
}

export { DEFAULT_BATCH_SIZE } from '../embed/embedImages';

/**
 * Classifies every request; a request that fails (unreadable image, bad class list, ...) gets its
 * Error in its slot and the others are still classified. Each distinct class list is embedded
 * once (and cached across calls by the model); images go through `embedImages`' batch pipeline.
 */
export async function classifyImages(model: ClipModel, requests: readonly ClassificationRequest[], options: ClassifyOptions = {}): Promise<Array<Classification | Error>> {
	return scoreAgainstClasses(model, requests, options, (valid) =>
		embedImages(
			model,
			valid.map((request) => request.image),
			options,
		),
	);
}

/** What is classified: its class list (labels and optional descriptions). */
export type ClassesOf = Pick<ClassificationRequest, 'classes' | 'descriptions'>;

/**
 * The scoring shared by images and stored embeddings: validates and embeds the class lists, asks
 * `embeddingsOf` for the image embeddings of the requests whose lists are valid (with the
 * dimension of each one's class embeddings, for callers that check what they were given), and
 * scores them under the model's rule.
 */
export async function scoreAgainstClasses<R extends ClassesOf>(
	model: ClipModel,
	requests: readonly R[],
	options: ClassifyOptions,
	embeddingsOf: (valid: R[], classDimensions: number[]) => Promise<Array<Float32Array | Error>>,
): Promise<Array<Classification | Error>> {
	const templates = options.templates && options.templates.length > 0 ? options.templates : [options.template ?? DEFAULT_PROMPT_TEMPLATE];
	const rule: ScoringRule = classificationScoring(model, options);
	const results: Array<Classification | Error> = new Array(requests.length);

	// A request whose class list cannot be scored fails alone (its image is never read); the others go on.
	const valid: number[] = [];
	requests.forEach((request, i) => {
		const problem = classListProblem(request.classes) ?? descriptionProblem(request);
		if (problem) results[i] = problem;
		else valid.push(i);
	});
	const { keys, lists } = await embedClassLists(model, valid.map((i) => requests[i]), templates);
	const embeddings = await embeddingsOf(
		valid.map((i) => requests[i]),
		keys.map((key) => (lists.get(key) as PackedClasses).dim),
	);

	// Images that share a class list are scored together.
	const byList = new Map<string, number[]>();
	embeddings.forEach((embedding, k) => {
		if (embedding instanceof Error) {
			results[valid[k]] = embedding;
			return;
		}
		const members = byList.get(keys[k]);
		if (members) members.push(k);
		else byList.set(keys[k], [k]);
	});
	for (const [key, members] of byList) {
		const probabilities = batchProbabilities(members.map((k) => embeddings[k] as Float32Array), lists.get(key) as PackedClasses, rule);
		members.forEach((k, m) => {
			const classes = [...requests[valid[k]].classes];
			const p = probabilities[m];
			let best = 0;
			for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
			results[valid[k]] = { probabilities: p, classes, label: classes[best], score: p[best], scoring: rule.kind };
		});
	}
	return results;
}

function descriptionProblem(request: ClassesOf): EngineError | undefined {
	const { descriptions, classes } = request;
	if (descriptions === undefined || descriptions.length === classes.length) return undefined;
	return new EngineError('CLASS_LIST', `${descriptions.length} descriptions were given for ${classes.length} classes`);
}

/**
 * Embeds every distinct class list once (the model caches prompt sets across calls) and packs
 * each for batched scoring. `keys[i]` names request i's list in `lists`.
 */
async function embedClassLists(
	model: ClipModel,
	requests: readonly ClassesOf[],
	templates: readonly string[],
): Promise<{ keys: string[]; lists: Map<string, PackedClasses> }> {
	// Keyed once per distinct array (requests usually share one): the JSON of a 1,000-name list is not free.
	const keyOf = new Map<readonly string[], Map<unknown, string>>();
	const promptsOf = new Map<string, string[][]>();
	const keys = requests.map((r) => {
		let byDescriptions = keyOf.get(r.classes);
		if (!byDescriptions) keyOf.set(r.classes, (byDescriptions = new Map()));
		let key = byDescriptions.get(r.descriptions);
		if (key === undefined) {
			const sets = r.classes.map((label, c) => classPrompts(label, templates, r.descriptions?.[c]));
			key = JSON.stringify(sets);
			byDescriptions.set(r.descriptions, key);
			promptsOf.set(key, sets);
		}
		return key;
	});
	const distinct = [...promptsOf.entries()];
	const embedded = await model.embedClasses(distinct.flatMap(([, sets]) => sets));
	const lists = new Map<string, PackedClasses>();
	let next = 0;
	for (const [key, sets] of distinct) {
		lists.set(key, packClasses(embedded.slice(next, next + sets.length)));
		next += sets.length;
	}
	return { keys, lists };
}
