import { EngineError, ModelFileError } from '../errors';
import { OnnxSession } from '../onnx/onnxSession';
import type { RuntimeOptions } from '../onnx/runtimeOptions';
import { floatRows, floatTensor, integerTensor, type TensorData } from '../onnx/tensorData';
import { l2NormalizeInPlace } from '../scoring/embeddingMath';
import type { ClipTowers } from './clipTowers';
import { maxBatch, paddedLength, textSignature, visionSignature, type TextSignature, type TokenPadding, type VisionSignature } from './towerSignatures';

export function checkedEmbeddings(rows: Float32Array[], path: string, expectedDim: number | undefined): Float32Array[] {
	for (const row of rows) {
		if (expectedDim !== undefined && row.length !== expectedDim) {
			throw new EngineError('INFERENCE', `${path}: produced ${row.length}-dimensional embeddings, expected ${expectedDim}`);
		}
		for (let i = 0; i < row.length; i++) {
			if (!Number.isFinite(row[i])) throw new EngineError('INFERENCE', `${path}: produced a non-finite embedding (NaN or infinity); the model file is probably broken`);
		}
		l2NormalizeInPlace(row);
	}
	return rows;
}

/**
 * Both towers must embed into one space of the configured size. Checked on the graphs' static
 * output sizes, at load: towers from different models would otherwise be scored silently.
 */
function checkEmbeddingSizes(text: OnnxSession, textSig: TextSignature, vision: OnnxSession, visionSig: VisionSignature, configured: number | undefined): void {
	const textSize = textSig.embedding.dims[1];
	const visionSize = visionSig.embedding.dims[1];
	if (textSize !== undefined && visionSize !== undefined && textSize !== visionSize) {
		throw new ModelFileError(text.path, `gives ${textSize}-dimensional embeddings but ${vision.path} gives ${visionSize}-dimensional ones: the two towers are not from the same model`);
	}
	for (const [session, size] of [
		[vision, visionSize],
		[text, textSize],
	] as const) {
		if (configured !== undefined && size !== undefined && size !== configured) {
			throw new ModelFileError(session.path, `gives ${size}-dimensional embeddings but the model's config.json says ${configured}`);
		}
	}
}

/** A text graph and a vision graph, as both public layouts ship them. */
export class SeparateTowers implements ClipTowers {
	readonly maxImageBatch: number;
	readonly maxTextBatch: number;
	readonly contextLength: number;
	readonly exportLogits = undefined;

	private constructor(
		private readonly text: OnnxSession,
		private readonly vision: OnnxSession,
		private readonly textSig: TextSignature,
		private readonly visionSig: VisionSignature,
		private readonly size: number,
		private readonly tokens: TokenPadding,
		private readonly embeddingSize: number | undefined,
		configuredContextLength: number,
	) {
		this.maxImageBatch = maxBatch(visionSig.pixels);
		this.maxTextBatch = maxBatch(textSig.ids);
		this.contextLength = textSig.ids.dims[1] ?? configuredContextLength;
		checkEmbeddingSizes(text, textSig, vision, visionSig, embeddingSize);
	}

	static async load(paths: { text: string; vision: string }, size: number, tokens: TokenPadding, embeddingSize: number | undefined, contextLength: number, runtime: RuntimeOptions): Promise<SeparateTowers> {
		const vision = await OnnxSession.load(paths.vision, runtime);
		let text: OnnxSession;
		try {
			text = await OnnxSession.load(paths.text, runtime);
		} catch (error) {
			await vision.release();
			throw error;
		}
		try {
			return new SeparateTowers(text, vision, textSignature(text), visionSignature(vision, size), size, tokens, embeddingSize, contextLength);
		} catch (error) {
			await Promise.all([text.release(), vision.release()]);
			throw error;
		}
	}

	async embedImages(pixels: Float32Array, count: number): Promise<Float32Array[]> {
		const { pixels: input, embedding } = this.visionSig;
		const out = await this.vision.run({ [input.name]: floatTensor(input.type, pixels, [count, 3, this.size, this.size]) }, [embedding.name]);
		return checkedEmbeddings(floatRows(out[embedding.name], count), this.vision.path, this.embeddingSize);
	}

	async embedTexts(tokenIds: readonly (readonly number[])[]): Promise<Float32Array[]> {
		const { ids, attentionMask, embedding } = this.textSig;
		const length = paddedLength(ids, tokenIds, this.tokens, this.contextLength);
		const feeds: Record<string, TensorData> = { [ids.name]: integerTensor(ids.type, tokenIds, length, this.tokens.padId) };
		if (attentionMask) {
			feeds[attentionMask.name] = integerTensor(attentionMask.type, tokenIds.map((row) => row.map(() => 1)), length, 0);
		}
		const out = await this.text.run(feeds, [embedding.name]);
		return checkedEmbeddings(floatRows(out[embedding.name], tokenIds.length), this.text.path, this.embeddingSize);
	}

	async release(): Promise<void> {
		await Promise.all([this.text.release(), this.vision.release()]);
	}
}
