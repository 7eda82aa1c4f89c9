import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../../cli/clip-classify';
import { runCli } from './cliHarness';

const PACKAGE_VERSION = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

describe('clip-classify without a command', () => {
	test('--version prints the version in package.json and exits 0', async () => {
		for (const flag of ['--version', '-v']) {
			const run = await runCli([flag]);
			expect({ flag, code: run.code, stdout: run.stdout }).toEqual({ flag, code: 0, stdout: `${PACKAGE_VERSION}\n` });
		}
	});

	test('--help lists every command on one line with its summary, and exits 0', async () => {
		const run = await runCli(['--help']);
		expect(run.code).toBe(0);
		const listed = run.stdout.split('Commands:\n')[1].split('\n\n')[0].split('\n');
		expect(listed.map((line) => line.trim().split(/\s{2,}/))).toEqual(Object.entries(COMMANDS).map(([name, { summary }]) => [name, summary]));
		expect(run.stdout).toContain('clip-classify <command> --help');
	});

	test('--help leaves the commands’ options to their own --help', async () => {
		expect((await runCli(['--help'])).stdout).not.toContain('--pixels-out');
	});

	test('each command’s --help prints its usage and exits 0', async () => {
		for (const name of Object.keys(COMMANDS)) {
			const run = await runCli([name, '--help']);
			expect({ name, code: run.code }).toEqual({ name, code: 0 });
			expect(run.stdout).toContain(`Usage: clip-classify ${name}`);
		}
	});

	test('no command prints the help and exits 2; an unknown command is named on stderr, exit 2', async () => {
		const none = await runCli([]);
		expect(none.code).toBe(2);
		expect(none.stdout).toContain('Commands:');
		const unknown = await runCli(['clasify']);
		expect(unknown.code).toBe(2);
		expect(unknown.stderr).toContain('unknown command "clasify"');
	});
});
