import { resolveDownloadLimits, type DownloadLimits } from './downloadLimits';
import { hubModelInfoUrl } from './hubEndpoint';
import { abortError, HubError, hubHttpError } from './hubErrors';
import { isSafeRepoFilePath } from './hubNames';
import { describeUrl, openHubRequest, readBodyText } from './hubRequest';
import { ThroughputMeter } from './throughputMeter';
import { TransferWatchdog } from './transferWatchdog';

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
	/** The same floor as file transfers: a listing that trickles must not hold the download either. */
	limits?: DownloadLimits;
}

/** `GET /api/models/<repo>/revision/<revision>`: the repo's file list (`siblings`) and commit (`sha`). */
export async function fetchRepoListing(request: HubRepoListingRequest): Promise<HubRepoListing> {
	const url = hubModelInfoUrl(request.endpoint, request.repo, request.revision);
	const limits = request.limits ?? resolveDownloadLimits();
	const meter = new ThroughputMeter({ historyMs: limits.windowMs });
	const watchdog = new TransferWatchdog({ limits, meter, what: `the file list of ${request.repo}@${request.revision}`, signal: request.signal });
	let response;
	let body;
	try {
		response = await openHubRequest({ url, token: request.token, headers: { accept: 'application/json' }, signal: watchdog.signal });
		body = await readBodyText(response.body, 20_000_000, (bytes) => meter.record(bytes));
	} catch (error) {
		if (request.signal?.aborted) throw abortError();
		const abandoned = watchdog.abandoned;
		if (abandoned !== undefined) {
			throw new HubError('network', `Gave up fetching the file list of ${request.repo}@${request.revision} from ${describeUrl(url)}: ${abandoned.message}.`, { cause: abandoned });
		}
		throw error;
	} finally {
		watchdog.stop();
	}
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
