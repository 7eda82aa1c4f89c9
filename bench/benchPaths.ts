import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where generated benchmark inputs live: outside the repository (several GB of models and
 * photos), shared by every checkout on the machine. ZSIC_BENCH_CACHE overrides it.
 */
export function benchCacheDir(): string {
	if (process.env.ZSIC_BENCH_CACHE) return process.env.ZSIC_BENCH_CACHE;
	const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
	return join(base, 'n8n-nodes-zsic-bench');
}

/** The repository root, from the compiled bench (<root>/node_modules/.cache/n8n-nodes-zsic-bench/build/bench). */
export const REPO_ROOT = join(__dirname, '..', '..', '..', '..', '..');

/** Committed results (JSON, SVG chart) for the README. */
export const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');

/** The real photos the camera-like sets are made from (../shared/conformance/images beside the repo, or CONFORMANCE_DIR). */
export const CONFORMANCE_IMAGES = join(process.env.CONFORMANCE_DIR ?? join(REPO_ROOT, '..', 'shared', 'conformance'), 'images');
