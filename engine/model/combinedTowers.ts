import type { Tensor } from 'onnxruntime-node';
import { ModelFileError } from '../errors';
import { OnnxSession } from '../onnx/onnxSession';
import type { RuntimeOptions } from '../onnx/runtimeOptions';
import { findByName } from '../onnx/tensorSignature';
import { floatRows, floatTensor, integerTensor } from '../onnx/tensorData';
import { dot } from '../scoring/embeddingMath';
import type { ClipTowers } from './clipTowers';
import { checkedEmbeddings } from './separateTowers';
import { maxBatch, visionSignature, type TextSignature, type VisionSignature } from './towerSignatures';

/**
 * An export with one graph for both towers (`onnx/model.onnx`: input_ids + pixel_values →
 * text_embeds, image_embeds, logits_per_image). Each call feeds the other tower a minimal
 * dummy input, a small price for supporting such folders at all. The graph's own logit scale
 * is read back from `logits_per_image`.
 */
export class CombinedTowers implements ClipTowers {
	readonly maxImageBatch: number;
	readonly maxTextBatch: number;
	readonly contextLength: number;
	exportLogitScale: number | undefined;

	private constructor(
		private readonly session: OnnxSession,
		private readonly textSig: TextSignature,
		private readonly visionSig: VisionSignature,
		private readonly logitsName: string | undefined,
		private readonly size: number,
		private readonly padId: number,
		private readonly dummyTokens: readonly number[],
		private readonly embeddingSize: number | undefined,
		configuredContextLength: number,
	) {
		this.maxImageBatch = maxBatch(visionSig.pixels);
		this.maxTextBatch = maxBatch(textSig.ids);
		this.contextLength = textSig.ids.dims[1] ?? configuredContextLength;
	}

	static async load(path: string, size: number, padId: number, dummyTokens: readonly number[], embeddingSize: number | undefined, contextLength: number, runtime: RuntimeOptions): Promise<CombinedTowers> {
		const session = await OnnxSession.load(path, runtime);
		try {
			const text = textSignatureOfCombined(session);
			const vision = visionSignature(session, size);
			const logits = findByName(session.outputs, ['logits_per_image']);
			const towers = new CombinedTowers(session, text, vision, logits?.name, size, padId, dummyTokens, embeddingSize, contextLength);
			towers.exportLogitScale = await towers.probeLogitScale();
			return towers;
		} catch (error) {
			await session.release();
			throw error;
		}
	}

	private feeds(pixels: Float32Array, imageCount: number, tokenIds: readonly (readonly number[])[]): Record<string, Tensor> {
		const { ids, attentionMask } = this.textSig;
		const length = ids.dims[1] ?? Math.max(...tokenIds.map((row) => row.length));
		const feeds: Record<string, Tensor> = {
			[this.visionSig.pixels.name]: floatTensor(this.session, this.visionSig.pixels.type, pixels, [imageCount, 3, this.size, this.size]),
			[ids.name]: integerTensor(this.session, ids.type, tokenIds, length, this.padId),
		};
		if (attentionMask) feeds[attentionMask.name] = integerTensor(this.session, attentionMask.type, tokenIds.map((row) => row.map(() => 1)), length, 0);
		return feeds;
	}

	private dummyPixels(): Float32Array {
		return new Float32Array(3 * this.size * this.size);
	}

	/** logits_per_image / cosine for a dummy pair; undefined when the graph has no logits output. */
	private async probeLogitScale(): Promise<number | undefined> {
		if (!this.logitsName) return undefined;
		const pixels = new Float32Array(3 * this.size * this.size);
		for (let i = 0; i < pixels.length; i++) pixels[i] = Math.sin(i * 0.37);
		const { embedding: textOut } = this.textSig;
		const { embedding: imageOut } = this.visionSig;
		const out = await this.session.run(this.feeds(pixels, 1, [this.dummyTokens]), [this.logitsName, textOut.name, imageOut.name]);
		const [image] = checkedEmbeddings(floatRows(out[imageOut.name], 1), this.session.path, this.embeddingSize);
		const [text] = checkedEmbeddings(floatRows(out[textOut.name], 1), this.session.path, this.embeddingSize);
		const cosine = dot(image, text);
		const [logit] = floatRows(out[this.logitsName], 1)[0];
		// A near-orthogonal probe pair cannot tell the scale; fall back to the configured one then.
		return Math.abs(cosine) > 1e-3 ? logit / cosine : undefined;
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
