import { DEFAULT_DOWNLOAD_LIMITS, DOWNLOAD_LIMIT_ENV, downloadModel, formatRate } from '../engine/hub';
import type { CommandIO } from './commandIO';
import { DownloadProgressBar } from './downloadProgressBar';
import { parseCommandLine } from './parseCommandLine';

export type { CommandIO } from './commandIO';
export { runModelsCommand } from './modelsCommand';

export const DOWNLOAD_USAGE = `Usage: clip-classify download <preset | owner/name[@revision]> [options]

Downloads a model into the model cache, so that n8n can use it without network access
(copy the cache folder to an offline machine, or point the node at it).

Options:
  --cache-dir <dir>   Model cache folder (default: $N8N_ZSIC_MODELS_DIR,
                      else <$N8N_USER_FOLDER or home>/.n8n/models)
  --endpoint <url>    Hugging Face Hub URL (default: $HF_ENDPOINT, else https://huggingface.co)
  --variant <name>    ONNX variant: fp32 (default), quantized, fp16…
  -h, --help          Show this help

Private or gated models: set HF_TOKEN in the environment (not on the command line,
where it would end up in the shell history and the process list).

A transfer slower than ${formatRate(DEFAULT_DOWNLOAD_LIMITS.minBytesPerSecond)} averaged over ${DEFAULT_DOWNLOAD_LIMITS.windowMs / 1000} s is abandoned and resumed;
${DEFAULT_DOWNLOAD_LIMITS.giveUpMs / 1000} s after the first such abandonment of a file, the download gives up
(the bytes received are kept for the next run). To change these:
  ${DOWNLOAD_LIMIT_ENV.minBytesPerSecond}=8kB  ${DOWNLOAD_LIMIT_ENV.windowMs}=60  ${DOWNLOAD_LIMIT_ENV.giveUpMs}=300
Ctrl-C stops the download at once and keeps the partial file.
Run "clip-classify models" for the list of presets.
`;

/**
 * `clip-classify download …`; `argv` holds the arguments after `download`. Prints the model
 * folder on stdout (for scripts) and everything else on stderr. Exit codes: 0 done,
 * 1 download failed, 2 usage error.
 */
export async function runDownloadCommand(argv: string[], io: CommandIO): Promise<number> {
	let parsed;
	try {
		parsed = parseCommandLine({
			args: argv,
			allowPositionals: true,
			strict: true,
			options: {
				'cache-dir': { type: 'string' },
				endpoint: { type: 'string' },
				variant: { type: 'string' },
				help: { type: 'boolean', short: 'h' },
			},
		});
	} catch (error) {
		io.stderr.write(`error: ${(error as Error).message}\n\n${DOWNLOAD_USAGE}`);
		return 2;
	}
	if (parsed.values.help) {
		io.stdout.write(DOWNLOAD_USAGE);
		return 0;
	}
	if (parsed.positionals.length !== 1) {
		io.stderr.write(`error: expected exactly one model (a preset id or owner/name), got ${parsed.positionals.length}.\n\n${DOWNLOAD_USAGE}`);
		return 2;
	}

	const bar = io.isTTY ? new DownloadProgressBar((text) => io.stderr.write(text), io.columns) : undefined;
	const say = (message: string): void => {
		if (bar !== undefined) bar.message(message);
		else io.stderr.write(`${message}\n`);
	};
	try {
		const model = await downloadModel(parsed.positionals[0], {
			cacheDir: parsed.values['cache-dir'],
			endpoint: parsed.values.endpoint,
			variant: parsed.values.variant,
			signal: io.signal,
			log: say,
			logProgress: bar === undefined,
			onProgress: bar === undefined ? undefined : (progress) => bar.update(progress),
		});
		bar?.finish();
		const commit = model.commit !== undefined ? ` (commit ${model.commit.slice(0, 12)})` : '';
		say(`Model ready: ${model.repo}@${model.revision}${commit}, variant ${model.variant}.`);
		io.stdout.write(`${model.folder}\n`);
		return 0;
	} catch (error) {
		bar?.finish();
		io.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
		return 1;
	}
}
