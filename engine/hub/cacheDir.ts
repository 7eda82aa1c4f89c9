import { homedir } from 'node:os';
import { join } from 'node:path';

import { toAbsolutePath } from './homePath';

export const CACHE_DIR_ENV = 'N8N_ZSIC_MODELS_DIR';

/**
 * The models cache folder: the node/CLI option, else N8N_ZSIC_MODELS_DIR, else a `models`
 * folder in n8n's own user folder. n8n keeps its data in `<N8N_USER_FOLDER>/.n8n` (the
 * home directory when unset), which is the volume Docker deployments persist, so models
 * survive container restarts without extra configuration.
 */
export function resolveCacheDir(option: string | undefined, env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
	const chosen = option?.trim() || env[CACHE_DIR_ENV]?.trim();
	if (chosen) return toAbsolutePath(chosen, home);
	const userFolder = env.N8N_USER_FOLDER?.trim() || home;
	return toAbsolutePath(join(userFolder, '.n8n', 'models'), home);
}
