import { readFile } from 'node:fs/promises';
import { buildPrompt, DEFAULT_BATCH_SIZE, DEFAULT_RESAMPLING, embedImages, errorMessage, parseResampling, withModel, type BackendChoice } from '../engine';
import { DEFAULT_PRESET_ID } from '../engine/hub';
import type { CommandIO } from './commandIO';
import { parseCommandLine } from './parseCommandLine';

export const EMBED_USAGE = `Usage: clip-classify embed --model <preset | folder | owner/name> [--text <t>]... [image files...]

Prints the L2-normalized embeddings of texts and images (one space: compare them by dot product)
as one JSON document:
  {"model": ..., "dimension": n, "results": [
     {"text": ..., "embedding": [...]} | {"file": ..., "embedding": [...]} | {"file": ..., "error": "..."} ]}
Texts come first, in the order given, then the files.

Options:
  --model <m>         Preset id (default ${DEFAULT_PRESET_ID}), model folder, or Hugging Face repo owner/name[@rev]
  --text <t>          A text to embed; repeat for each
  --template <t>      Wrap each text in a prompt template, {} is the text (default: the text as is)
  --batch-size <n>    Images per inference call (default ${DEFAULT_BATCH_SIZE})
  --variant <v>       Model variant: fp32 (default), fp16, quantized...
  --resampling <r>    accurate (default), reference (bit-exact) or fast
  --backend <b>       auto (default), native or wasm
  --threads <n>       Inference threads (default: one per core)
  --cache-dir <dir>   Model cache folder for presets and Hub repos
  --offline           Never download; use cached or local models only
  -h, --help          Show this help

Exit status: 0 everything embedded, 1 some failed, 2 usage error.
`;

function usageError(io: CommandIO, message: string): number {
	io.stderr.write(`error: ${message}\n\n${EMBED_USAGE}`);
	return 2;
}

type EmbedResult = { text: string; embedding: number[] } | { file: string; embedding: number[] } | { file: string; error: string };

/** `clip-classify embed ...`; `argv` holds the arguments after `embed`. */
export async function runEmbedCommand(argv: string[], io: CommandIO): Promise<number> {
	let parsed;
	try {
		parsed = parseCommandLine({
			args: argv,
			allowPositionals: true,
			strict: true,
			options: {
				model: { type: 'string', default: DEFAULT_PRESET_ID },
				text: { type: 'string', multiple: true },
				template: { type: 'string' },
				'batch-size': { type: 'string' },
				variant: { type: 'string' },
				resampling: { type: 'string', default: DEFAULT_RESAMPLING },
				backend: { type: 'string', default: 'auto' },
				threads: { type: 'string', default: '0' },
				'cache-dir': { type: 'string' },
				offline: { type: 'boolean' },
				help: { type: 'boolean', short: 'h' },
			},
		});
	} catch (error) {
		return usageError(io, errorMessage(error));
	}
	const { values, positionals: files } = parsed;
	if (values.help) {
		io.stdout.write(EMBED_USAGE);
		return 0;
	}
	const texts = values.text ?? [];
	if (texts.length === 0 && files.length === 0) return usageError(io, 'nothing to embed: give --text <t> or image files');
	if (texts.some((t) => t.trim() === '')) return usageError(io, '--text must not be empty');
	const batchSize = values['batch-size'] === undefined ? DEFAULT_BATCH_SIZE : Number(values['batch-size']);
	if (!Number.isInteger(batchSize) || batchSize < 1) return usageError(io, '--batch-size must be a positive integer');
	const resampling = parseResampling(values.resampling);
	if (!resampling) return usageError(io, '--resampling must be accurate, reference or fast');
	const backend = values.backend as BackendChoice;
	if (!['auto', 'native', 'wasm'].includes(backend)) return usageError(io, '--backend must be auto, native or wasm');
	const threads = Number(values.threads);
	if (!Number.isInteger(threads) || threads < 0) return usageError(io, '--threads must be a whole number (0: one per core)');
	const template = values.template;

	let results: EmbedResult[];
	let dimension = 0;
	try {
		results = await withModel(
			{ model: values.model, variant: values.variant, runtime: { intraOpThreads: threads, backend }, hub: { cacheDir: values['cache-dir'], offline: values.offline, log: (m) => io.stderr.write(`${m}\n`), signal: io.signal } },
			async (model) => {
				const textEmbeddings = await model.embedPrompts(texts.map((t) => (template ? buildPrompt(template, t) : t)));
				const imageEmbeddings = await embedImages(
					model,
					files.map((file) => () => readFile(file)),
					{ batchSize, resampling, signal: io.signal },
				);
				dimension = textEmbeddings[0]?.length ?? (imageEmbeddings.find((e) => e instanceof Float32Array) as Float32Array | undefined)?.length ?? 0;
				return [
					...texts.map((text, i) => ({ text, embedding: Array.from(textEmbeddings[i]) })),
					...files.map((file, i) => {
						const e = imageEmbeddings[i];
						return e instanceof Error ? { file, error: e.message } : { file, embedding: Array.from(e) };
					}),
				];
			},
		);
	} catch (error) {
		io.stderr.write(`error: ${errorMessage(error)}\n`);
		return 1;
	}
	io.stdout.write(`${JSON.stringify({ model: values.model, dimension, ...(template ? { template } : {}), results })}\n`);
	return results.some((r) => 'error' in r) ? 1 : 0;
}
