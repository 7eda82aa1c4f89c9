import { hubModelInfoUrl } from './hubEndpoint';
import { HubError, hubHttpError } from './hubErrors';
import { isSafeRepoFilePath } from './hubNames';
import { openHubRequest, readBodyText } from './hubRequest';

export interface HubRepoListing {
	/** The commit the revision resolves to; downloads then name it so every file matches. */
	commit: string | undefined;
	files: string[];
}

export interface HubRepoListingRequest {
	endpoint: string;
	repo: string;
	revision: string;
	token?: string;
	signal?: AbortSignal;
}

/** `GET /api/models/<repo>/revision/<revision>`: the repo's file list (`siblings`) and commit (`sha`). */
export async function fetchRepoListing(request: HubRepoListingRequest): Promise<HubRepoListing> {
	const response = await openHubRequest({
		url: hubModelInfoUrl(request.endpoint, request.repo, request.revision),
		token: request.token,
		headers: { accept: 'application/json' },
		signal: request.signal,
	});
	const body = await readBodyText(response.body, 20_000_000);
	if (response.status !== 200) {
		throw hubHttpError(response.status, response.headers, body, {
			repo: request.repo,
			revision: request.revision,
			hadToken: request.token !== undefined,
			token: request.token,
		});
	}
	let parsed: unknown;
	try {
		parsed = JSON.parse(body);
	} catch {
		throw new HubError('http', `Hugging Face Hub returned an unreadable file list for ${request.repo}@${request.revision}.`);
	}
	if (typeof parsed !== 'object' || parsed === null || !('siblings' in parsed) || !Array.isArray(parsed.siblings)) {
		throw new HubError('http', `Hugging Face Hub returned no file list for ${request.repo}@${request.revision}.`);
	}
	const files = parsed.siblings
		.map((sibling: unknown) => (typeof sibling === 'object' && sibling !== null && 'rfilename' in sibling ? sibling.rfilename : undefined))
		.filter((name: unknown): name is string => typeof name === 'string' && isSafeRepoFilePath(name));
	const sha = 'sha' in parsed && typeof parsed.sha === 'string' && /^[0-9a-f]{40}$/.test(parsed.sha) ? parsed.sha : undefined;
	return { commit: sha, files };
}
