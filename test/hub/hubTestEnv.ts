import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HUB_ENV_KEYS = [
	'HF_TOKEN',
	'HF_ENDPOINT',
	'HF_HUB_OFFLINE',
	'N8N_ZSIC_MODELS_DIR',
	'N8N_USER_FOLDER',
	'N8N_ZSIC_DOWNLOAD_MIN_SPEED',
	'N8N_ZSIC_DOWNLOAD_SPEED_WINDOW',
	'N8N_ZSIC_DOWNLOAD_GIVE_UP',
] as const;

/**
 * Gives each test a fresh cache folder and an environment without the developer's Hub
 * settings (a real HF_TOKEN or HF_ENDPOINT must neither leak into nor change a test),
 * restored afterwards.
 */
export function useIsolatedHubEnv(): { cacheDir: () => string } {
	let saved: Partial<Record<(typeof HUB_ENV_KEYS)[number], string>> = {};
	let cacheDir = '';
	beforeEach(async () => {
		saved = {};
		for (const key of HUB_ENV_KEYS) {
			saved[key] = process.env[key];
			delete process.env[key];
		}
		cacheDir = await mkdtemp(join(tmpdir(), 'zsic-hub-'));
	});
	afterEach(async () => {
		for (const key of HUB_ENV_KEYS) {
			if (saved[key] === undefined) delete process.env[key];
			else process.env[key] = saved[key];
		}
		await rm(cacheDir, { recursive: true, force: true });
	});
	return { cacheDir: () => cacheDir };
}
