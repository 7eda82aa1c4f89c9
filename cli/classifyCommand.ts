import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
	DEFAULT_RESAMPLING,
	parseResampling,
	checkedMatchRule,
	classifyImages,
	classifyImagesByExamples,
	DEFAULT_BATCH_SIZE,
	DEFAULT_TEXT_WEIGHT,
	folderExampleClasses,
	DEFAULT_PROMPT_TEMPLATE,
	errorMessage,
	isPromptEnsembleName,
	matchedClasses,
	parseClassList,
	PROMPT_ENSEMBLES,
	withModel,
	type BackendChoice,
	type Classification,
	type MatchRule,
} from '../engine';
import { DEFAULT_PRESET_ID } from '../engine/hub';
import type { CommandIO } from './commandIO';
import { parseCommandLine } from './parseCommandLine';

export const CLASSIFY_USAGE = `Usage: clip-classify classify --model <preset | folder | owner/name> --class <label> [--class <label>...] [options] <image files...>
       clip-classify classify --model <...> --examples <folder> [--text-weight <w>] [options] <image files...>

Classifies each image into the given classes (zero-shot, CLIP) and prints one JSON document:
  {"model": ..., "classes": [...], "template": ..., "results": [
     {"file": ..., "probabilities": [...], "label": ..., "score": ..., "scoring": "softmax" | "sigmoid" | "examples"}
     | {"file": ..., "error": "..."} ]}
With --threshold or --multi-label each result also has "labels" (the classes that reached the
threshold, best first) and "matched" (whether any did).

Options:
  --model <m>         Preset id (default ${DEFAULT_PRESET_ID}), model folder, or Hugging Face repo owner/name[@rev]
  --class <label>     A class name; repeat for each class (or give a comma-separated list)
  --template <t>      Prompt template, {} is the class name (default "${DEFAULT_PROMPT_TEMPLATE}")
  --ensemble <name>   Average each class over a template ensemble instead: imagenet80 (CLIP's 80 ImageNet templates)
  --examples <dir>    Classes from example images instead of --class: one subfolder per class (its name is the
                      label), images inside; scores are "scoring": "examples". Example embeddings are cached
                      in the model cache folder, so a second run embeds only new or changed examples
  --text-weight <w>   With --examples: blend in the label's prompt (template/ensemble), 0-1 (default ${DEFAULT_TEXT_WEIGHT})
  --threshold <t>     Lowest score (0 to 1) that counts as a match; scores are not calibrated, tune it on your images
  --multi-label       Every class at or above the threshold matches, not only the best (needs --threshold)
  --logit-scale <s>   Multiplier of the cosines (default: the model's own; 100 for CLIP)
  --logit-bias <b>    SigLIP's bias (default: the model's own); Immich SigLIP folders need both
  --batch-size <n>    Images per inference call (default ${DEFAULT_BATCH_SIZE})
  --variant <v>       Model variant: fp32 (default), fp16, quantized...
  --resampling <r>    accurate (default: large JPEGs decoded at a reduced DCT scale, then
                      the reference resize), reference (bit-exact with Python CLIP) or fast
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
		parsed = parseCommandLine({
			args: argv,
			allowPositionals: true,
			strict: true,
			options: {
				model: { type: 'string', default: DEFAULT_PRESET_ID },
				class: { type: 'string', multiple: true },
				template: { type: 'string', default: DEFAULT_PROMPT_TEMPLATE },
				ensemble: { type: 'string' },
				examples: { type: 'string' },
				'text-weight': { type: 'string' },
				threshold: { type: 'string' },
				'multi-label': { type: 'boolean' },
				'logit-scale': { type: 'string' },
				'logit-bias': { type: 'string' },
				'batch-size': { type: 'string' },
				variant: { type: 'string' },
				resampling: { type: 'string', default: DEFAULT_RESAMPLING },
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
	const examples = values.examples;
	let classes: string[] = [];
	if (examples !== undefined) {
		if (values.class !== undefined) return usageError(io, '--class and --examples exclude each other: the example folder names the classes');
	} else {
		try {
			classes = parseClassList((values.class ?? []).flatMap((c) => c.split(',')));
		} catch (error) {
			return usageError(io, `${errorMessage(error)} (give --class <label>, or --examples <folder>)`);
		}
	}
	const textWeight = values['text-weight'] === undefined ? DEFAULT_TEXT_WEIGHT : Number(values['text-weight']);
	if (values['text-weight'] !== undefined && examples === undefined) return usageError(io, '--text-weight needs --examples');
	if (!(textWeight >= 0 && textWeight <= 1)) return usageError(io, '--text-weight must be a number from 0 to 1');
	if (files.length === 0) return usageError(io, 'no image files given');
	const batchSize = values['batch-size'] === undefined ? DEFAULT_BATCH_SIZE : Number(values['batch-size']);
	if (!Number.isInteger(batchSize) || batchSize < 1) return usageError(io, '--batch-size must be a positive integer');
	const resampling = parseResampling(values.resampling);
	if (!resampling) return usageError(io, '--resampling must be accurate, reference or fast');
	const backend = values.backend as BackendChoice;
	if (!['auto', 'native', 'wasm'].includes(backend)) return usageError(io, '--backend must be auto, native or wasm');
	const threads = Number(values.threads);
	if (!Number.isInteger(threads) || threads < 0) return usageError(io, '--threads must be a whole number (0: one per core)');
	const ensemble = values.ensemble;
	if (ensemble !== undefined && !isPromptEnsembleName(ensemble)) return usageError(io, `--ensemble must be one of: ${Object.keys(PROMPT_ENSEMBLES).join(', ')}`);
	const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
	let match: MatchRule | undefined;
	if (threshold !== undefined || values['multi-label']) {
		try {
			match = checkedMatchRule(threshold, values['multi-label']);
		} catch (error) {
			return usageError(io, errorMessage(error).replace('the threshold', '--threshold').replace('multi-label needs', '--multi-label needs'));
		}
	}
	const logitScale = values['logit-scale'] === undefined ? undefined : Number(values['logit-scale']);
	if (logitScale !== undefined && !(Number.isFinite(logitScale) && logitScale > 0)) return usageError(io, '--logit-scale must be a positive number');
	const logitBias = values['logit-bias'] === undefined ? undefined : Number(values['logit-bias']);
	if (logitBias !== undefined && !Number.isFinite(logitBias)) return usageError(io, '--logit-bias must be a number');
	const pixelsOut = values['pixels-out'];
	if (pixelsOut) await mkdir(pixelsOut, { recursive: true });

	const pixelWrites: Promise<void>[] = [];
	let results: Array<Classification | Error>;
	let notes: readonly string[] = [];
	const templates = ensemble === undefined ? undefined : PROMPT_ENSEMBLES[ensemble as keyof typeof PROMPT_ENSEMBLES];
	const onPixels = pixelsOut
		? (index: number, pixels: Float32Array) => {
				const bytes = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
				pixelWrites.push(writeFile(join(pixelsOut, `${basename(files[index])}.f32`), Buffer.from(bytes)));
			}
		: undefined;
	const classifyTexts = (model: Parameters<typeof classifyImages>[0]): Promise<Array<Classification | Error>> =>
		classifyImages(
			model,
			files.map((file) => ({ image: () => readFile(file), classes })),
			{ template: values.template, templates, batchSize, resampling, logitScale, logitBias, signal: io.signal, onPixels },
		);
	try {
		results = await withModel(
			{ model: values.model, variant: values.variant, runtime: { intraOpThreads: threads, backend }, hub: { cacheDir: values['cache-dir'], offline: values.offline, log: (m) => io.stderr.write(`${m}\n`), signal: io.signal } },
			async (model) => {
				if (examples === undefined) return await classifyTexts(model);
				const fromFolder = await folderExampleClasses(model, examples, { cacheDir: values['cache-dir'], textWeight, templates: templates ?? [values.template], batchSize, resampling, signal: io.signal });
				classes = fromFolder.classes.labels;
				notes = fromFolder.notes;
				return await classifyImagesByExamples(
					model,
					files.map((file) => () => readFile(file)),
					fromFolder.classes,
					{ batchSize, resampling, signal: io.signal, onPixels },
				);
			},
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
		...(ensemble === undefined ? {} : { ensemble }),
		...(examples === undefined ? {} : { examples, textWeight }),
		...(notes.length === 0 ? {} : { notes }),
		...(match === undefined ? {} : { threshold: match.threshold, multiLabel: match.multiLabel }),
		results: results.map((result, i) => {
			if (result instanceof Error) return { file: files[i], error: result.message };
			const out = { file: files[i], probabilities: result.probabilities, label: result.label, score: result.score, scoring: result.scoring };
			if (match === undefined) return out;
			const labels = matchedClasses(result.probabilities, match).map((c) => result.classes[c]);
			return { ...out, labels, matched: labels.length > 0 };
		}),
	};
	io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
	return results.some((r) => r instanceof Error) ? 1 : 0;
}
