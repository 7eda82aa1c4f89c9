import { ModelFileError } from '../errors';
import { OnnxSession } from '../onnx/onnxSession';
import type { RuntimeOptions } from '../onnx/runtimeOptions';
import { findByName } from '../onnx/tensorSignature';
import { floatRows, floatTensor, integerTensor, type TensorData } from '../onnx/tensorData';
import { dot } from '../scoring/embeddingMath';
import type { ClipTowers, ExportLogits } from './clipTowers';
import { checkedEmbeddings } from './separateTowers';
import { maxBatch, paddedLength, visionSignature, type TextSignature, type TokenPadding, type VisionSignature } from './towerSignatures';

/**
 * An export with one graph for both towers (`onnx/model.onnx`: input_ids + pixel_values →
 * text_embeds, image_embeds, logits_per_image). Each call feeds the other tower a minimal
 * dummy input, a small price for supporting such folders at all. The graph's own logit scale
 * (and SigLIP's bias) is read back from `logits_per_image`.
 */
export class CombinedTowers implements ClipTowers {
	readonly maxImageBatch: number;
	readonly maxTextBatch: number;
	readonly contextLength: number;
	exportLogits: ExportLogits | undefined;

	private constructor(
		private readonly session: OnnxSession,
		private readonly textSig: TextSignature,
		private readonly visionSig: VisionSignature,
		private readonly logitsName: string | undefined,
		private readonly size: number,
		private readonly tokens: TokenPadding,
		private readonly dummyTokens: readonly number[],
		private readonly embeddingSize: number | undefined,
		configuredContextLength: number,
	) {
		this.maxImageBatch = maxBatch(visionSig.pixels);
		this.maxTextBatch = maxBatch(textSig.ids);
		this.contextLength = textSig.ids.dims[1] ?? configuredContextLength;
	}

	/**
	 * `probeTokens`: two different prompts' ids. With a bias in the graph (SigLIP) one image-text
	 * pair cannot tell scale from bias; two pairs give two equations.
	 */
	static async load(
		path: string,
		size: number,
		tokens: TokenPadding,
		probeTokens: readonly [readonly number[], readonly number[]],
		withBias: boolean,
		embeddingSize: number | undefined,
		contextLength: number,
		runtime: RuntimeOptions,
	): Promise<CombinedTowers> {
		const session = await OnnxSession.load(path, runtime);
		try {
			const text = textSignatureOfCombined(session);
			const vision = visionSignature(session, size);
			const logits = findByName(session.outputs, ['logits_per_image']);
			const towers = new CombinedTowers(session, text, vision, logits?.name, size, tokens, probeTokens[0], embeddingSize, contextLength);
			towers.exportLogits = withBias ? await towers.probeScaleAndBias(probeTokens) : await towers.probeScale();
			return towers;
		} catch (error) {
			await session.release();
			throw error;
		}
	}

	private feeds(pixels: Float32Array, imageCount: number, tokenIds: readonly (readonly number[])[]): Record<string, TensorData> {
		const { ids, attentionMask } = this.textSig;
		const length = paddedLength(ids, tokenIds, this.tokens, this.contextLength);
		const feeds: Record<string, TensorData> = {
			[this.visionSig.pixels.name]: floatTensor(this.visionSig.pixels.type, pixels, [imageCount, 3, this.size, this.size]),
			[ids.name]: integerTensor(ids.type, tokenIds, length, this.tokens.padId),
		};
		if (attentionMask) feeds[attentionMask.name] = integerTensor(attentionMask.type, tokenIds.map((row) => row.map(() => 1)), length, 0);
		return feeds;
	}

	private dummyPixels(): Float32Array {
		return new Float32Array(3 * this.size * this.size);
	}

	/** The cosine and logit of one image-text pair through the whole graph. */
	private async probePair(tokens: readonly number[]): Promise<{ cosine: number; logit: number }> {
		const pixels = new Float32Array(3 * this.size * this.size);
		for (let i = 0; i < pixels.length; i++) pixels[i] = Math.sin(i * 0.37);
		const { embedding: textOut } = this.textSig;
		const { embedding: imageOut } = this.visionSig;
		const out = await this.session.run(this.feeds(pixels, 1, [tokens]), [this.logitsName as string, textOut.name, imageOut.name]);
		const [image] = checkedEmbeddings(floatRows(out[imageOut.name], 1), this.session.path, this.embeddingSize);
		const [text] = checkedEmbeddings(floatRows(out[textOut.name], 1), this.session.path, this.embeddingSize);
		return { cosine: dot(image, text), logit: floatRows(out[this.logitsName as string], 1)[0][0] };
	}

	/** logits_per_image / cosine for a dummy pair; undefined when the graph has no logits output. */
	private async probeScale(): Promise<ExportLogits | undefined> {
		if (!this.logitsName) return undefined;
		const { cosine, logit } = await this.probePair(this.dummyTokens);
		// A near-orthogonal probe pair cannot tell the scale; fall back to the configured one then.
		return Math.abs(cosine) > 1e-3 ? { scale: logit / cosine, bias: 0 } : undefined;
	}

	/** logit = scale × cosine + bias, solved from two pairs; undefined when the graph has no logits or the pairs cannot tell. */
	private async probeScaleAndBias(probeTokens: readonly [readonly number[], readonly number[]]): Promise<ExportLogits | undefined> {
		if (!this.logitsName) return undefined;
		const a = await this.probePair(probeTokens[0]);
		const b = await this.probePair(probeTokens[1]);
		if (Math.abs(a.cosine - b.cosine) < 1e-3) return undefined;
		const scale = (a.logit - b.logit) / (a.cosine - b.cosine);
		return { scale, bias: a.logit - scale * a.cosine };
	}

	async embedImages(pixels: Float32Array, count: number): Promise<Float32Array[]> {
		const name = this.visionSig.embedding.name;
		const out = await this.session.run(this.feeds(pixels, count, [this.dummyTokens]), [name]);
		return checkedEmbeddings(floatRows(out[name], count), this.session.path, this.embeddingSize);
	}

	async embedTexts(tokenIds: readonly (readonly number[])[]): Promise<Float32Array[]> {
		const name = this.textSig.embedding.name;
		const out = await this.session.run(this.feeds(this.dummyPixels(), 1, tokenIds), [name]);
		return checkedEmbeddings(floatRows(out[name], tokenIds.length), this.session.path, this.embeddingSize);
	}

	release(): Promise<void> {
		return this.session.release();
	}
}

/** The combined graph's text half: token ids and mask as inputs, `text_embeds` as output. */
function textSignatureOfCombined(session: OnnxSession): TextSignature {
	const ids = findByName(session.inputs, ['input_ids']);
	const embedding = findByName(session.outputs, ['text_embeds']);
	if (!ids || !embedding) throw new ModelFileError(session.path, 'is a combined CLIP graph without input_ids / text_embeds');
	return { ids, attentionMask: findByName(session.inputs, ['attention_mask']), embedding };
}
