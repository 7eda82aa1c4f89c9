#!/usr/bin/env node
import { CLASSIFY_USAGE, runClassifyCommand } from './classifyCommand';
import type { CommandIO } from './commandIO';
import { DOWNLOAD_USAGE, runDownloadCommand } from './downloadCommand';
import { EMBED_USAGE, runEmbedCommand } from './embedCommand';
import { MODELS_USAGE, runModelsCommand } from './modelsCommand';

const USAGE = `clip-classify: zero-shot image classification with CLIP and SigLIP models, run locally (the engine of the
n8n node n8n-nodes-zero-shot-image-classification).

Commands:
  classify   Classify image files into classes you name
  embed      Print the embeddings of texts and image files
  download   Download a model preset or Hugging Face repo into the model cache (for offline use)
  models     List the model presets

${CLASSIFY_USAGE}
${EMBED_USAGE}
${DOWNLOAD_USAGE}
${MODELS_USAGE}`;

/** Dispatches a command line; returns the exit status. */
export async function main(argv: string[], io: CommandIO): Promise<number> {
	const [command, ...rest] = argv;
	switch (command) {
		case 'classify':
			return runClassifyCommand(rest, io);
		case 'embed':
			return runEmbedCommand(rest, io);
		case 'download':
			return runDownloadCommand(rest, io);
		case 'models':
			return runModelsCommand(rest, io);
		case undefined:
		case '-h':
		case '--help':
		case 'help':
			io.stdout.write(USAGE);
			return command === undefined ? 2 : 0;
		default:
			io.stderr.write(`error: unknown command "${command}"\n\n${USAGE}`);
			return 2;
	}
}

if (require.main === module) {
	const controller = new AbortController();
	process.once('SIGINT', () => controller.abort());
	main(process.argv.slice(2), {
		stdout: process.stdout,
		stderr: process.stderr,
		isTTY: process.stderr.isTTY === true,
		columns: process.stderr.columns,
		signal: controller.signal,
	}).then(
		(code) => {
			process.exitCode = code;
		},
		(error: unknown) => {
			process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
			process.exitCode = 1;
		},
	);
}
