import { EngineError } from '../errors';
import { DEFAULT_RUNTIME_OPTIONS, type RuntimeOptions } from '../onnx/runtimeOptions';
import type { TokenPadding } from './towerSignatures';
import { ensembleEmbedding } from '../scoring/embeddingMath';
import type { ScoringRule } from '../scoring/scoringRule';
import { promptSetKey } from '../text/classPrompts';
import { PromptTokenizer } from '../text/promptTokenizer';
import { TextEmbeddingCache } from '../text/textEmbeddingCache';
import type { PreprocessSpec } from '../image/preprocessSpec';
import type { ClipTowers, ExportLogits } from './clipTowers';
import { CombinedTowers } from './combinedTowers';
import { inspectModelFolder } from './inspectModelFolder';
import type { ModelDescriptor } from './modelDescriptor';
import type { ModelFamily } from './modelFamily';
import { SeparateTowers } from './separateTowers';

/** The logit scale OpenAI and LAION CLIP models converge to in training (exp(4.6052)). */
export const TRAINED_LOGIT_SCALE = 100;

export interface ClipModelOptions {
	/** Model variant (`fp32`, `fp16`, `q8`/`quantized`, ... as files in the folder allow). */
	readonly variant?: string;
	readonly runtime?: RuntimeOptions;
	/** Logit scale known from elsewhere (a preset); the export's own wins when it has one. */
	readonly logitScale?: number;
	/** SigLIP's logit bias known from elsewhere (a preset); used with `logitScale`, the export's own wins. */
	readonly logitBias?: number;
	readonly textCacheEntries?: number;
}

/** Texts per text-tower call: enough to amortise the call, small enough to bound activations. */
const TEXT_BATCH = 64;

/** A loaded CLIP model: tokenizer, both towers, preprocessing spec, logit scale, text cache. */
export class ClipModel {
	private readonly textCache: TextEmbeddingCache;
	/** Prompts actually run through the text tower (cache misses), for tests and diagnostics. */
	textInferenceCount = 0;

	private constructor(
		readonly descriptor: ModelDescriptor,
		private readonly tokenizer: PromptTokenizer,
		private readonly towers: ClipTowers,
		/**
		 * How this model turns cosine similarities into scores; undefined for a SigLIP folder that
		 * gives no scale and bias (its embeddings still work, classifying needs them from elsewhere).
		 */
		readonly scoring: ScoringRule | undefined,
		textCacheEntries: number | undefined,
	) {
		this.textCache = new TextEmbeddingCache(textCacheEntries);
	}

	get family(): ModelFamily {
		return this.descriptor.family;
	}

	/** The softmax logit scale (CLIP), or SigLIP's scale; undefined when unknown. */
	get logitScale(): number | undefined {
		return this.scoring?.scale;
	}

	static async load(folder: string, options: ClipModelOptions = {}): Promise<ClipModel> {
		const descriptor = await inspectModelFolder(folder, options.variant ?? 'fp32');
		const { textRules } = descriptor;
		const tokenizer = await PromptTokenizer.load(descriptor.tokenizer, descriptor.tokenizerConfig, textRules.normalization);
		const runtime = options.runtime ?? DEFAULT_RUNTIME_OPTIONS;
		const { size } = descriptor.preprocess;
		const padding = { padId: tokenizer.padId, toContextLength: textRules.padToContextLength };
		const sigmoidFamily = descriptor.family === 'siglip';
		const towers: ClipTowers =
			descriptor.towers.kind === 'separate'
				? await SeparateTowers.load(descriptor.towers, size, padding, descriptor.embeddingSize, descriptor.contextLength, runtime)
				: await loadCombined(descriptor.towers.model, descriptor, tokenizer, padding, runtime);
		let exported = towers.exportLogits;
		if (sigmoidFamily && exported === undefined && descriptor.scoringGraph !== undefined) {
			try {
				// SigLIP scale and bias from the combined graph beside separate towers: loaded once, probed, released.
				const graph = await loadCombined(descriptor.scoringGraph, descriptor, tokenizer, padding, runtime);
				exported = graph.exportLogits;
				await graph.release();
			} catch (error) {
				await towers.release();
				throw error;
			}
		}
		return new ClipModel(descriptor, tokenizer, towers, modelScoring(descriptor.family, exported, options), options.textCacheEntries);
	}

	get preprocess(): PreprocessSpec {
		return this.descriptor.preprocess;
	}

	get maxImageBatch(): number {
		return this.towers.maxImageBatch;
	}

	get textCacheSize(): number {
		return this.textCache.size;
	}

	tokenize(prompt: string): number[] {
		return this.tokenizer.encode(prompt, this.towers.contextLength);
	}

	/** Normalized text embeddings for prompts, from the cache where possible. */
	async embedPrompts(prompts: readonly string[]): Promise<Float32Array[]> {
		const missing = [...new Set(prompts.filter((p) => this.textCache.get(p) === undefined))];
		const fresh = await this.runTextTower(missing);
		for (const [prompt, embedding] of fresh) this.textCache.set(prompt, embedding);
		// Read fresh results first: a class list longer than the cache would evict its own entries.
		return prompts.map((p) => fresh.get(p) ?? (this.textCache.get(p) as Float32Array));
	}

	/**
	 * One normalized embedding per class from its prompt set: a single prompt as `embedPrompts`
	 * gives it, an ensemble averaged (`ensembleEmbedding`). Ensembles are cached under the whole
	 * set (`promptSetKey`), not prompt by prompt: 80 templates × 1,000 classes would flood the cache.
	 */
	async embedClasses(promptSets: readonly (readonly string[])[]): Promise<Float32Array[]> {
		if (promptSets.some((set) => set.length === 0)) throw new EngineError('CLASS_LIST', 'a class has no prompt');
		const singlePrompts = [...new Set(promptSets.filter((set) => set.length === 1).map((set) => set[0]))];
		const singles = await this.embedPrompts(singlePrompts);
		const bySingle = new Map(singlePrompts.map((prompt, i) => [prompt, singles[i]]));

		const ensembles = new Map<string, readonly string[]>();
		for (const set of promptSets) {
			const key = promptSetKey(set);
			if (set.length > 1 && this.textCache.get(key) === undefined) ensembles.set(key, set);
		}
		const fresh = new Map<string, Float32Array>();
		const prompts = await this.runTextTower([...new Set([...ensembles.values()].flat())]);
		for (const [key, set] of ensembles) {
			const embedding = ensembleEmbedding(set.map((p) => prompts.get(p) as Float32Array));
			fresh.set(key, embedding);
			this.textCache.set(key, embedding);
		}
		return promptSets.map((set) => {
			if (set.length === 1) return bySingle.get(set[0]) as Float32Array;
			const key = promptSetKey(set);
			return fresh.get(key) ?? (this.textCache.get(key) as Float32Array);
		});
	}

	/** Runs the text tower over distinct prompts in batches; no cache. */
	private async runTextTower(prompts: readonly string[]): Promise<Map<string, Float32Array>> {
		const batch = Math.min(TEXT_BATCH, this.towers.maxTextBatch);
		const out = new Map<string, Float32Array>();
		for (let start = 0; start < prompts.length; start += batch) {
			const chunk = prompts.slice(start, start + batch);
			const embeddings = await this.towers.embedTexts(chunk.map((p) => this.tokenize(p)));
			this.textInferenceCount += chunk.length;
			chunk.forEach((prompt, i) => out.set(prompt, embeddings[i]));
		}
		return out;
	}

	/** Normalized image embeddings for `count` preprocessed images packed in `pixels` (NCHW). */
	async embedPixels(pixels: Float32Array, count: number): Promise<Float32Array[]> {
		const per = 3 * this.preprocess.size * this.preprocess.size;
		const step = Math.min(count, this.towers.maxImageBatch);
		const out: Float32Array[] = [];
		for (let start = 0; start < count; start += step) {
			const n = Math.min(step, count - start);
			out.push(...(await this.towers.embedImages(pixels.subarray(start * per, (start + n) * per), n)));
		}
		return out;
	}

	release(): Promise<void> {
		this.textCache.clear();
		return this.towers.release();
	}
}

/** A combined graph, probed for its logit scale (and, for SigLIP, bias) with two prompts. */
function loadCombined(path: string, descriptor: ModelDescriptor, tokenizer: PromptTokenizer, padding: TokenPadding, runtime: RuntimeOptions): Promise<CombinedTowers> {
	const { contextLength } = descriptor;
	return CombinedTowers.load(
		path,
		descriptor.preprocess.size,
		padding,
		[tokenizer.encode('', contextLength), tokenizer.encode('a photo of a dog', contextLength)],
		descriptor.family === 'siglip',
		descriptor.embeddingSize,
		contextLength,
		runtime,
	);
}

/**
 * The scoring a model folder implies. CLIP: softmax with the export's scale, else the preset's, else
 * the trained 100. SigLIP: sigmoid with the export's scale and bias, else the preset's pair; never a
 * guessed bias (a wrong one moves every score), so without either the rule stays unknown.
 */
export function modelScoring(family: ModelFamily, exported: ExportLogits | undefined, known: Pick<ClipModelOptions, 'logitScale' | 'logitBias'>): ScoringRule | undefined {
	if (family === 'clip') return { kind: 'softmax', scale: exported?.scale ?? known.logitScale ?? TRAINED_LOGIT_SCALE };
	if (exported) return { kind: 'sigmoid', scale: exported.scale, bias: exported.bias };
	if (known.logitScale !== undefined && known.logitBias !== undefined) return { kind: 'sigmoid', scale: known.logitScale, bias: known.logitBias };
	return undefined;
}
