import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { classifyImages, DEFAULT_BATCH_SIZE, DEFAULT_PROMPT_TEMPLATE, errorMessage, parseClassList, withModel, type BackendChoice, type Resampling } from '../engine';
import { DEFAULT_PRESET_ID } from '../engine/hub';
import type { CommandIO } from './commandIO';

export const CLASSIFY_USAGE = `Usage: clip-classify classify --model <preset | folder | owner/name> --class <label> [--class <label>...] [options] <image files...>

Classifies each image into the given classes (zero-shot, CLIP) and prints one JSON document:
  {"model": ..., "classes": [...], "template": ..., "results": [
     {"file": ..., "probabilities": [...], "label": ..., "score": ...} | {"file": ..., "error": "..."} ]}

Options:
  --model <m>         Preset id (default ${DEFAULT_PRESET_ID}), model folder, or Hugging Face repo owner/name[@rev]
  --class <label>     A class name; repeat for each class (or give a comma-separated list)
  --template <t>      Prompt template, {} is the class name (default "${DEFAULT_PROMPT_TEMPLATE}")
  --batch-size <n>    Images per inference call (default ${DEFAULT_BATCH_SIZE})
  --variant <v>       Model variant: fp32 (default), fp16, quantized...
  --resampling <r>    exact (default; matches the Python reference) or fast
  --backend <b>       auto (default: native, else WebAssembly), native or wasm
  --threads <n>       Inference threads (default: one per core)
  --pixels-out <dir>  Also write each image's model input to <dir>/<file basename>.f32
                      (float32 little-endian, CHW, normalized) to compare with other pipelines
  --cache-dir <dir>   Model cache folder for presets and Hub repos
  --offline           Never download; use cached or local models only
  -h, --help          Show this help

Exit status: 0 every file classified, 1 some failed, 2 usage error.
`;

function usageError(io: CommandIO, message: string): number {
	io.stderr.write(`error: ${message}\n\n${CLASSIFY_USAGE}`);
	return 2;
}

/** `clip-classify classify ...`; `argv` holds the arguments after `classify`. */
export async function runClassifyCommand(argv: string[], io: CommandIO): Promise<number> {
	let parsed;
	try {
		parsed = parseArgs({
			args: argv,
			allowPositionals: true,
			strict: true,
			options: {
				model: { type: 'string', default: DEFAULT_PRESET_ID },
				class: { type: 'string', multiple: true },
				template: { type: 'string', default: DEFAULT_PROMPT_TEMPLATE },
				'batch-size': { type: 'string' },
				variant: { type: 'string' },
				resampling: { type: 'string', default: 'exact' },
				backend: { type: 'string', default: 'auto' },
				threads: { type: 'string', default: '0' },
				'pixels-out': { type: 'string' },
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
		io.stdout.write(CLASSIFY_USAGE);
		return 0;
	}
	let classes: string[];
	try {
		classes = parseClassList((values.class ?? []).flatMap((c) => c.split(',')));
	} catch (error) {
		return usageError(io, `${errorMessage(error)} (give --class <label>)`);
	}
	if (files.length === 0) return usageError(io, 'no image files given');
	const batchSize = values['batch-size'] === undefined ? DEFAULT_BATCH_SIZE : Number(values['batch-size']);
	if (!Number.isInteger(batchSize) || batchSize < 1) return usageError(io, '--batch-size must be a positive integer');
	const resampling = values.resampling as Resampling;
	if (resampling !== 'exact' && resampling !== 'fast') return usageError(io, '--resampling must be exact or fast');
	const backend = values.backend as BackendChoice;
	if (!['auto', 'native', 'wasm'].includes(backend)) return usageError(io, '--backend must be auto, native or wasm');
	const threads = Number(values.threads);
	if (!Number.isInteger(threads) || threads < 0) return usageError(io, '--threads must be a whole number (0: one per core)');
	const pixelsOut = values['pixels-out'];
	if (pixelsOut) await mkdir(pixelsOut, { recursive: true });

	const pixelWrites: Promise<void>[] = [];
	let results;
	try {
		results = await withModel(
			{ model: values.model, variant: values.variant, runtime: { intraOpThreads: threads, backend }, hub: { cacheDir: values['cache-dir'], offline: values.offline, log: (m) => io.stderr.write(`${m}\n`), signal: io.signal } },
			(model) =>
				classifyImages(
					model,
					files.map((file) => ({ image: () => readFile(file), classes })),
					{
						template: values.template,
						batchSize,
						resampling,
						signal: io.signal,
						onPixels: pixelsOut
							? (index, pixels) => {
									const bytes = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
									pixelWrites.push(writeFile(join(pixelsOut, `${basename(files[index])}.f32`), Buffer.from(bytes)));
								}
							: undefined,
					},
				),
		);
	} catch (error) {
		io.stderr.write(`error: ${errorMessage(error)}\n`);
		return 1;
	}
	await Promise.all(pixelWrites);
	const document = {
		model: values.model,
		classes,
		template: values.template,
		results: results.map((result, i) =>
			result instanceof Error
				? { file: files[i], error: result.message }
				: { file: files[i], probabilities: result.probabilities, label: result.label, score: result.score },
		),
	};
	io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
	return results.some((r) => r instanceof Error) ? 1 : 0;
}
