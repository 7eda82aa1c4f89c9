import { realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { NodeOperationError, type FileSystemHelperFunctions, type IExecuteFunctions, type ResolvedFilePath } from 'n8n-workflow';

/** n8n's own default for N8N_BLOCK_FILE_PATTERNS (SecurityConfig): anything inside a .git folder. */
const DEFAULT_BLOCK_FILE_PATTERNS = '^(?:[^/]*/)*\\.git(?:/.*)?$';

/**
 * A folder typed into the node, resolved and checked under n8n's file-access rules, as Read/Write
 * Files from Disk reads: inside N8N_RESTRICT_FILE_ACCESS_TO when it is set (n8n 2.x: `~/.n8n-files`
 * by default), never inside n8n's own folders (`~/.n8n`, N8N_CUSTOM_EXTENSIONS, ...). n8n's own
 * helpers decide when the running n8n has them (1.x late and 2.x); older ones get the same rule
 * applied here from the same environment variables. `allowedAnyway` are folders the node manages
 * itself (the models cache), read whatever the rule says.
 */
export async function checkedFolderPath(context: IExecuteFunctions, path: string, what: string, allowedAnyway: readonly string[] = []): Promise<string> {
	const helpers = context.helpers as Partial<FileSystemHelperFunctions>;
	const native = typeof helpers.resolvePath === 'function' && typeof helpers.isFilePathBlocked === 'function';
	// n8n 1.x's resolvePath throws for a path whose parent does not exist either: the missing folder
	// is then reported by whoever reads it, naming it, rather than as a bare ENOENT.
	const resolved = native ? await (helpers.resolvePath as FileSystemHelperFunctions['resolvePath'])(path).catch(() => resolveFallback(path)) : await resolveFallback(path);
	if (await isInsideAny(resolved, allowedAnyway)) return resolved;
	const blocked = native ? (helpers.isFilePathBlocked as FileSystemHelperFunctions['isFilePathBlocked'])(resolved) : isBlockedFallback(resolved);
	if (blocked) {
		const allowed = allowedPaths();
		throw new NodeOperationError(context.getNode(), `${what} ${path} is outside the folders n8n lets nodes read`, {
			description: `n8n reads files only inside N8N_RESTRICT_FILE_ACCESS_TO${allowed.length > 0 ? ` (${allowed.join(', ')})` : ''} and never in its own folders (~/.n8n, N8N_CUSTOM_EXTENSIONS, ...), as for Read/Write Files from Disk. Move the folder there, or add its parent to N8N_RESTRICT_FILE_ACCESS_TO.`,
		});
	}
	return resolved;
}

function allowedPaths(): string[] {
	return (process.env.N8N_RESTRICT_FILE_ACCESS_TO ?? '')
		.split(';')
		.map((path) => path.trim())
		.filter((path) => path !== '')
		.map((path) => (path.startsWith('~') ? path.replace('~', homedir()) : path));
}

async function resolveFallback(path: string): Promise<ResolvedFilePath> {
	try {
		return (await realpath(path)) as ResolvedFilePath;
	} catch {
		return resolve(path) as ResolvedFilePath;
	}
}

function contains(parent: string, child: string): boolean {
	const rel = relative(resolve(parent), child);
	return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

async function isInsideAny(resolved: string, folders: readonly string[]): Promise<boolean> {
	for (const folder of folders) {
		if (contains(await resolveFallback(folder), resolved)) return true;
	}
	return false;
}

/** n8n-core's isFilePathBlocked, for an n8n whose helpers lack it; the variables n8n reads. */
function isBlockedFallback(resolved: string): boolean {
	const env = process.env;
	if (env.N8N_BLOCK_FILE_ACCESS_TO_N8N_FILES !== 'false') {
		const n8nFolder = join(env.N8N_USER_FOLDER?.trim() || homedir(), '.n8n');
		const restricted = [
			n8nFolder,
			join(homedir(), '.cache', 'n8n', 'public'),
			...(env.N8N_CONFIG_FILES ? env.N8N_CONFIG_FILES.split(',') : []),
			...(env.N8N_CUSTOM_EXTENSIONS ? env.N8N_CUSTOM_EXTENSIONS.split(';') : []),
			...[env.N8N_BINARY_DATA_STORAGE_PATH, env.N8N_UM_EMAIL_TEMPLATES_INVITE, env.N8N_UM_EMAIL_TEMPLATES_PWRESET].filter((p): p is string => !!p),
		];
		if (restricted.some((folder) => folder.trim() !== '' && contains(folder.trim(), resolved))) return true;
	}
	const patterns = (env.N8N_BLOCK_FILE_PATTERNS ?? DEFAULT_BLOCK_FILE_PATTERNS).split(';').map((p) => p.trim()).filter((p) => p !== '');
	if (
		patterns.some((pattern) => {
			try {
				return new RegExp(pattern, 'mi').test(resolved);
			} catch {
				return true;
			}
		})
	) {
		return true;
	}
	const allowed = allowedPaths();
	return allowed.length > 0 && !allowed.some((folder) => contains(folder, resolved));
}
