import { homedir } from 'node:os';
import { isAbsolute } from 'node:path';

import { HubError } from './hubErrors';
import { isValidPresetId, isValidRepoId, isValidRevision } from './hubNames';
import { toAbsolutePath } from './homePath';

/** What the node's "model" field or the CLI argument designates. */
export type ModelRef =
	| { kind: 'local'; folder: string }
	| { kind: 'preset'; id: string }
	| { kind: 'hub'; repo: string; revision: string };

export const DEFAULT_REVISION = 'main';

/**
 * Paths must look like paths (absolute, or starting with `.`, `/` or `~`) so that
 * `owner/name` is never mistaken for a relative folder that happens to exist.
 */
export function parseModelRef(value: string, home: string = homedir()): ModelRef {
	const ref = value.trim();
	if (ref === '') throw new HubError('invalid-ref', 'No model given: use a preset id, a Hugging Face repo (owner/name[@revision]) or a local folder path.');
	if (isAbsolute(ref) || ref.startsWith('.') || ref.startsWith('/') || ref.startsWith('~')) {
		return { kind: 'local', folder: toAbsolutePath(ref, home) };
	}
	if (ref.includes('/')) {
		const at = ref.indexOf('@');
		const repo = at === -1 ? ref : ref.slice(0, at);
		const revision = at === -1 ? DEFAULT_REVISION : ref.slice(at + 1);
		if (!isValidRepoId(repo)) throw new HubError('invalid-ref', `"${repo}" is not a Hugging Face repo id (expected owner/name).`);
		if (!isValidRevision(revision)) throw new HubError('invalid-ref', `"${revision}" is not a valid revision (branch, tag or commit).`);
		return { kind: 'hub', repo, revision };
	}
	if (!isValidPresetId(ref)) {
		throw new HubError('invalid-ref', `"${ref}" is neither a preset id (lower-case letters, digits, '.', '_', '-'), an owner/name repo, nor a local path.`);
	}
	return { kind: 'preset', id: ref };
}
