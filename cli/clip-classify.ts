#!/usr/bin/env node
import { runClassifyCommand } from './classifyCommand';
import type { CommandIO } from './commandIO';
import { runDownloadCommand } from './downloadCommand';
import { runEmbedCommand } from './embedCommand';
import { runModelsCommand } from './modelsCommand';
import { packageVersion } from './packageVersion';

interface Command {
	/** One line in `clip-classify --help`; the command's own --help has the details. */
	readonly summary: string;
	/** Runs the command on the arguments after its name; resolves to the exit status. */
	run(argv: string[], io: CommandIO): Promise<number>;
}

/** Every command, in the order the help lists them. */
export const COMMANDS: Readonly<Record<string, Command>> = {
	classify: { summary: 'Classify image files into classes you name', run: runClassifyCommand },
	embed: { summary: 'Print the embeddings of texts and image files', run: runEmbedCommand },
	download: { summary: 'Download a model preset or Hugging Face repo into the model cache (for offline use)', run: runDownloadCommand },
	models: { summary: 'List the model presets and whether they are in the model cache', run: runModelsCommand },
};

const NAME_WIDTH = Math.max(...Object.keys(COMMANDS).map((name) => name.length));

const USAGE = `clip-classify: zero-shot image classification with CLIP and SigLIP models, run locally (the engine of the
n8n node n8n-nodes-zero-shot-image-classification).

Usage: clip-classify <command> [options]

Commands:
${Object.entries(COMMANDS)
	.map(([name, { summary }]) => `  ${name.padEnd(NAME_WIDTH)}  ${summary}\n`)
	.join('')}
Run "clip-classify <command> --help" for a command's options and output.

Options:
  -h, --help     Show this help
  -v, --version  Print the version
`;

/** Dispatches a command line; returns the exit status. */
export async function main(argv: string[], io: CommandIO): Promise<number> {
	const [command, ...rest] = argv;
	if (command !== undefined && Object.hasOwn(COMMANDS, command)) return COMMANDS[command].run(rest, io);
	switch (command) {
		case undefined:
		case '-h':
		case '--help':
		case 'help':
			io.stdout.write(USAGE);
			return command === undefined ? 2 : 0;
		case '-v':
		case '--version':
			io.stdout.write(`${packageVersion()}\n`);
			return 0;
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
