import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { generateTestModels } from './fixtures/generateTestModels';
import { generatorVersion } from './fixtures/generatorVersion';
import { testModelsDir, VERSION_FILE } from './fixtures/testModels';

/** Other jest runs may be generating at the same time (several people share one checkout). */
const LOCK_STALE_MS = 120_000;
const LOCK_TIMEOUT_MS = 300_000;

function isCurrent(dir: string, version: string): boolean {
	const file = join(dir, VERSION_FILE);
	return existsSync(file) && readFileSync(file, 'utf8').trim() === version;
}

async function withLock<T>(lockDir: string, action: () => Promise<T>): Promise<T> {
	const deadline = Date.now() + LOCK_TIMEOUT_MS;
	for (;;) {
		try {
			mkdirSync(lockDir);
			break;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			const lock = statSync(lockDir, { throwIfNoEntry: false });
			if (!lock) continue;
			if (Date.now() - lock.mtimeMs > LOCK_STALE_MS) {
				rmSync(lockDir, { recursive: true, force: true });
				continue;
			}
			if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockDir}`);
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	}
	try {
		return await action();
	} finally {
		rmSync(lockDir, { recursive: true, force: true });
	}
}

/**
 * Generates the fixture CLIP models once: only when they are missing or were made by a
 * different version of the generator sources. Written to a temporary folder and renamed into
 * place, so an interrupted run never leaves a half-written set that looks current.
 */
export default async function globalSetup(): Promise<void> {
	const dir = testModelsDir();
	const version = generatorVersion();
	if (isCurrent(dir, version)) return;

	mkdirSync(dirname(dir), { recursive: true });
	await withLock(`${dir}.lock`, async () => {
		if (isCurrent(dir, version)) return;
		// Holding the lock, any staging folder left here is from an interrupted run.
		for (const name of readdirSync(dirname(dir))) {
			if (name.startsWith(`${basename(dir)}.tmp-`)) rmSync(join(dirname(dir), name), { recursive: true, force: true });
		}
		const staging = `${dir}.tmp-${process.pid}`;
		const generated = await generateTestModels(staging);
		writeFileSync(join(staging, VERSION_FILE), `${version}\n`);
		rmSync(dir, { recursive: true, force: true });
		renameSync(staging, dir);
		const megabytes = (generated.totalBytes / 1e6).toFixed(1);
		process.stdout.write(`\n[globalSetup] generated test models in ${dir} (${megabytes} MB, ${generated.elapsedMs} ms)\n`);
	});
}
