import type { Tokenizer } from '@huggingface/tokenizers' with { 'resolution-mode': 'import' };
import { ModelFileError, errorMessage } from '../errors';
import { readJsonFile } from '../model/readJsonFile';
import { normalizeText, type TextNormalization } from './canonicalizeText';

interface TokenizerConfig {
	pad_token?: unknown;
	eos_token?: unknown;
	model_max_length?: unknown;
	[key: string]: unknown;
}

function tokenContent(token: unknown): string | undefined {
	if (typeof token === 'string') return token;
	if (token && typeof token === 'object' && typeof (token as { content?: unknown }).content === 'string') {
		return (token as { content: string }).content;
	}
	return undefined;
}

// The package is ESM-first but ships a CommonJS build under its `require` export condition.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Tokenizer: TokenizerClass } = require('@huggingface/tokenizers') as { Tokenizer: typeof Tokenizer };

/**
 * Turns prompts into fixed-length token id rows for a CLIP text tower, with Hugging Face's
 * tokenizer.json semantics (CLIP BPE or SentencePiece/Unigram alike).
 */
export class PromptTokenizer {
	readonly padId: number;
	readonly eosId: number | undefined;

	private constructor(
		private readonly tokenizer: Tokenizer,
		config: TokenizerConfig,
		private readonly normalization: TextNormalization,
	) {
		const eos = tokenContent(config.eos_token);
		this.eosId = eos === undefined ? undefined : tokenizer.token_to_id(eos);
		const pad = tokenContent(config.pad_token);
		// open_clip pads with 0; CLIP's pooling reads the end-of-text position, so the pad id only matters
		// for towers that attend to it, which take an attention mask.
		this.padId = (pad === undefined ? undefined : tokenizer.token_to_id(pad)) ?? 0;
	}

	static async load(tokenizerPath: string, configPath: string | undefined, normalization: TextNormalization = 'none'): Promise<PromptTokenizer> {
		const json = await readJsonFile(tokenizerPath);
		const config: TokenizerConfig = configPath === undefined ? {} : await readJsonFile(configPath);
		try {
			return new PromptTokenizer(new TokenizerClass(json as object, config), config, normalization);
		} catch (error) {
			throw new ModelFileError(tokenizerPath, `not a usable tokenizer (${errorMessage(error)})`);
		}
	}

	/**
	 * Token ids with the tokenizer's special tokens, truncated to `contextLength` so that the
	 * end-of-text token survives (CLIP pools the text embedding at it). The prompt is cleaned first
	 * as the model's text was in training (`TextNormalization`).
	 */
	encode(prompt: string, contextLength: number): number[] {
		const ids = this.tokenizer.encode(normalizeText(prompt, this.normalization)).ids;
		if (ids.length <= contextLength) return ids;
		const last = ids[ids.length - 1];
		const keepsEos = this.eosId === undefined || last === this.eosId;
		return keepsEos ? [...ids.slice(0, contextLength - 1), last] : ids.slice(0, contextLength);
	}
}
