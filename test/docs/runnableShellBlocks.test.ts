import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { testImage } from '../fixtures/testImages';
import { testModelPaths } from '../fixtures/testModels';
import { compileCli, type CompiledCli } from './compiledCli';
import { documentationFiles } from './documentationFiles';
import { fencedBlocks } from './fencedBlocks';
import { isRunnableBlock } from './shellBlockMarks';

const run = promisify(execFile);

/** Far above what a block on the tiny models takes (about a second per CLI run): only a hang trips it. */
const BLOCK_TIMEOUT_MS = 60_000;

const runnableBlocks = documentationFiles().flatMap((file) =>
	fencedBlocks(file.lines)
		.filter(isRunnableBlock)
		.map((block) => ({ where: `${file.path}:${block.line}`, script: block.content })),
);

describe('runnable shell blocks of README.md and docs/, run against the tiny test models', () => {
	let cli: CompiledCli;
	const scratchFolders: string[] = [];
	let images: { photo: Buffer; receipt: Buffer };

	beforeAll(async () => {
		cli = await compileCli('docs-cli');
		images = { photo: await testImage('blobs', 'jpeg'), receipt: await testImage('stripes', 'png') };
	}, 120_000);

	afterAll(() => {
		cli?.remove();
		for (const folder of scratchFolders) rmSync(folder, { recursive: true, force: true });
	});

	/** A fresh folder holding the images the blocks name, as a reader's working folder would. */
	function scratchFolder(): string {
		const folder = mkdtempSync(join(tmpdir(), 'zsic-docs-block-'));
		scratchFolders.push(folder);
		writeFileSync(join(folder, 'photo.jpg'), images.photo);
		writeFileSync(join(folder, 'receipt.png'), images.receipt);
		return folder;
	}

	test('there are runnable blocks to run', () => {
		expect(runnableBlocks.length).toBeGreaterThan(0);
	});

	test.each(runnableBlocks.map((block) => [block.where, block] as const))(
		'%s runs and exits 0',
		async (where, block) => {
			const cwd = scratchFolder();
			const models = testModelPaths();
			const env = {
				...process.env,
				PATH: `${cli.binDir}${delimiter}${process.env.PATH ?? ''}`,
				MODEL: models.hf.dir,
				SIGLIP_MODEL: models.siglipImmich.dir,
				// A block that forgets $MODEL must fail here, not download a preset.
				HF_HUB_OFFLINE: '1',
				N8N_ZSIC_MODELS_DIR: join(cwd, '.models-cache'),
			};
			try {
				await run('bash', ['-e', '-o', 'pipefail', '-c', block.script], { cwd, env, timeout: BLOCK_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
			} catch (error) {
				const failure = error as { code?: number | string; signal?: string; stdout?: string; stderr?: string };
				throw new Error(
					`the shell block at ${where} failed (exit ${failure.code ?? failure.signal}):\n${block.script}\n--- stderr\n${failure.stderr ?? ''}\n--- stdout (start)\n${(failure.stdout ?? '').slice(0, 2000)}`,
				);
			}
		},
		BLOCK_TIMEOUT_MS + 10_000,
	);
});
