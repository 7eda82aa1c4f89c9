import { main } from '../../cli/clip-classify';

export interface CliRun {
	readonly code: number;
	readonly stdout: string;
	readonly stderr: string;
}

/** Runs clip-classify in-process with captured output (no TTY). */
export async function runCli(argv: string[]): Promise<CliRun> {
	let stdout = '';
	let stderr = '';
	const code = await main(argv, {
		stdout: { write: (text: string) => (stdout += text) },
		stderr: { write: (text: string) => (stderr += text) },
		isTTY: false,
	});
	return { code, stdout, stderr };
}
