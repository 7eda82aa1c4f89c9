import { HubError } from './hubErrors';

export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

/** Where the Hub lives: the credential's endpoint, else HF_ENDPOINT (mirrors, proxies), else huggingface.co. */
export function resolveHubEndpoint(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
	const raw = nonEmpty(option) ?? nonEmpty(env.HF_ENDPOINT) ?? DEFAULT_HUB_ENDPOINT;
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		throw new HubError('invalid-ref', `The Hugging Face Hub endpoint "${raw}" is not a valid URL.`);
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		throw new HubError('invalid-ref', `The Hugging Face Hub endpoint "${raw}" must be an http(s) URL.`);
	}
	if (url.username || url.password) {
		// Credentials in the URL would end up in logs and error messages; the token field exists for that.
		throw new HubError('invalid-ref', 'The Hugging Face Hub endpoint must not contain a user name or password; use the access token instead.');
	}
	return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The access token: the credential's, else HF_TOKEN. Undefined means anonymous requests. */
export function resolveHubToken(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
	return nonEmpty(option) ?? nonEmpty(env.HF_TOKEN);
}

/** Offline when asked explicitly, else when HF_HUB_OFFLINE is set the way huggingface_hub reads it. */
export function resolveOfflineMode(option: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
	if (option !== undefined) return option;
	const value = (env.HF_HUB_OFFLINE ?? '').trim().toLowerCase();
	return value === '1' || value === 'true' || value === 'yes' || value === 'on';
}

export function hubFileUrl(endpoint: string, repo: string, revision: string, filePath: string): string {
	return `${endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${encodePath(filePath)}`;
}

export function hubModelInfoUrl(endpoint: string, repo: string, revision: string): string {
	return `${endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}`;
}

function encodePath(filePath: string): string {
	return filePath.split('/').map(encodeURIComponent).join('/');
}

function nonEmpty(value: string | undefined): string | undefined {
	const trimmed = value?.trim();
	return trimmed ? trimmed : undefined;
}
