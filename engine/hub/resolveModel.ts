import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { formatBytes } from './byteFormat';
import { resolveCacheDir } from './cacheDir';
import { clearDownloadFailure, downloadFailureSince, isSharedFailure, recordDownloadFailure } from './downloadFailureRecord';
import { resolveDownloadLimits, type DownloadLimits } from './downloadLimits';
import { withDownloadLock } from './downloadLock';
import type { DownloadProgress } from './downloadProgress';
import { resolveHubEndpoint, resolveHubToken, resolveOfflineMode } from './hubEndpoint';
import { HubError } from './hubErrors';
import { downloadHubFile, type HubFileSpec } from './hubFileDownloader';
import { isValidVariant } from './hubNames';
import { fetchRepoListing } from './hubRepoListing';
import { completeVariantFiles, modelCacheFolder, modelLockPath, readCacheMarker, writeCacheMarker, type CacheMarker } from './modelCache';
import { DEFAULT_VARIANT, detectLayout, selectLayoutFiles, type ModelLayout } from './modelLayout';
import { parseModelRef, type ModelRef } from './modelRef';
import { getPreset, selectPresetFiles, type PresetManifest } from './presets';

export interface ResolveModelOptions {
	/** Models cache folder; else N8N_ZSIC_MODELS_DIR, else `<N8N_USER_FOLDER or ~>/.n8n/models`. */
	cacheDir?: string;
	/** Hub URL (the credential's); else HF_ENDPOINT, else https://huggingface.co. */
	endpoint?: string;
	/** Hub access token (the credential's); else HF_TOKEN. Never logged. */
	token?: string;
	/** Never touch the network; else HF_HUB_OFFLINE decides. */
	offline?: boolean;
	/** `fp32` (default), `quantized`, `fp16`…, for layouts that offer variants. */
	variant?: string;
	onProgress?: (progress: DownloadProgress) => void;
	log?: (message: string) => void;
	/** Also log "42% at 12 MB/s" lines every few seconds (default); off when a progress bar shows it. */
	logProgress?: boolean;
	/**
	 * Cancels the download (n8n's execution cancel signal): it stops within a moment, releases
	 * the download lock and keeps the partial file for the next run.
	 */
	signal?: AbortSignal;
	/** Throughput floor, window and give-up time; each else from its environment variable (downloadLimits.ts). */
	downloadLimits?: Partial<DownloadLimits>;
}

export interface ResolvedModel {
	/** Absolute folder holding the model's files at their repo paths. */
	folder: string;
	source: 'local' | 'preset' | 'hub';
	preset?: PresetManifest;
	repo?: string;
	revision?: string;
	/** The commit the cached files came from, when the Hub said. */
	commit?: string;
	/** Undefined for a local folder whose layout was not recognised. */
	layout?: ModelLayout;
	/** The variant whose files are in place (Hub models only). */
	variant?: string;
	/** Repo paths of the variant's files, optional ones that the repo lacks left out (Hub models only). */
	files?: string[];
}

interface HubPlan {
	modelRef: string;
	source: 'preset' | 'hub';
	repo: string;
	revision: string;
	variant: string;
	preset?: PresetManifest;
	/** Known up front for presets; a Hub repo's files come from its listing. */
	presetFiles?: HubFileSpec[];
}

/**
 * Finds a model folder, downloading it into the cache first if needed. `modelRef` is a
 * local folder path (absolute, or starting with `.`, `/` or `~`), a preset id, or a Hub
 * repo `owner/name[@revision]` in a supported layout. A cached model costs no request.
 */
export async function resolveModelFolder(modelRef: string, options: ResolveModelOptions = {}): Promise<ResolvedModel> {
	const ref = parseModelRef(modelRef);
	if (ref.kind === 'local') return resolveLocalFolder(ref.folder);
	return resolveHubModel(planFor(modelRef, ref, options), options);
}

/** For `clip-classify download`: the same as resolving, but a local folder is a usage error. */
export async function downloadModel(modelRef: string, options: ResolveModelOptions = {}): Promise<ResolvedModel> {
	const ref = parseModelRef(modelRef);
	if (ref.kind === 'local') throw new HubError('invalid-ref', `"${modelRef}" is a local folder: there is nothing to download. Give a preset id or an owner/name Hub repo.`);
	return resolveHubModel(planFor(modelRef, ref, options), options);
}

function planFor(modelRef: string, ref: Exclude<ModelRef, { kind: 'local' }>, options: ResolveModelOptions): HubPlan {
	const requested = options.variant?.trim() || undefined;
	if (requested !== undefined && !isValidVariant(requested)) {
		throw new HubError('invalid-ref', `"${requested}" is not a model variant name (e.g. fp32, quantized, fp16).`);
	}
	if (ref.kind === 'hub') {
		return { modelRef, source: 'hub', repo: ref.repo, revision: ref.revision, variant: requested ?? DEFAULT_VARIANT };
	}
	const preset = getPreset(ref.id);
	const variant = requested ?? preset.defaultVariant;
	return {
		modelRef,
		source: 'preset',
		repo: preset.source.repo,
		revision: preset.source.revision,
		variant,
		preset,
		presetFiles: selectPresetFiles(preset, variant).map((file) => ({ ...file, repo: preset.source.repo, revision: preset.source.revision })),
	};
}

async function resolveHubModel(plan: HubPlan, options: ResolveModelOptions): Promise<ResolvedModel> {
	const cacheDir = resolveCacheDir(options.cacheDir);
	const folder = modelCacheFolder(cacheDir, plan.repo, plan.revision);
	const cached = await cachedModel(plan, folder);
	if (cached !== undefined) return cached;
	if (resolveOfflineMode(options.offline)) throw offlineError(plan, cacheDir, folder);

	const endpoint = resolveHubEndpoint(options.endpoint);
	const token = resolveHubToken(options.token);
	const limits = resolveDownloadLimits(options.downloadLimits);
	const lockPath = modelLockPath(cacheDir, plan.repo, plan.revision);
	let waitingSince: number | undefined;
	const lockOptions = {
		signal: options.signal,
		onWait: () => {
			waitingSince = Date.now();
			options.log?.(`${plan.repo}@${plan.revision} is being downloaded by another execution or process; waiting for it to finish.`);
		},
	};
	try {
		return await withDownloadLock(lockPath, lockOptions, async () => {
			// Whoever held the lock before us may have completed exactly this model.
			const completedMeanwhile = await cachedModel(plan, folder);
			if (completedMeanwhile !== undefined) return completedMeanwhile;
			// ...or given up on it while we waited: trying again at once would only wait as long again.
			const failedMeanwhile = waitingSince === undefined ? undefined : await downloadFailureSince(lockPath, waitingSince);
			if (failedMeanwhile !== undefined) {
				throw new HubError(failedMeanwhile.code, `The download of ${plan.repo}@${plan.revision} that this run waited for failed (the next run tries again): ${failedMeanwhile.message}`, {
					status: failedMeanwhile.status,
					retryable: failedMeanwhile.retryable,
					cause: failedMeanwhile,
				});
			}
			try {
				const model = await downloadIntoCache(plan, folder, { ...options, endpoint, token, limits });
				await clearDownloadFailure(lockPath);
				return model;
			} catch (error) {
				if (isSharedFailure(error)) await recordDownloadFailure(lockPath, error);
				throw error;
			}
		});
	} catch (error) {
		if (error instanceof HubError && error.code === 'network' && !error.retryable) {
			throw new HubError(
				'network',
				`${error.message}. If this machine has no access to the Hub, download the model elsewhere with "npx clip-classify download ${plan.modelRef} --cache-dir <folder>", copy the folder into ${cacheDir}, and set HF_HUB_OFFLINE=1.`,
				{ cause: error, retryable: false },
			);
		}
		throw error;
	}
}

async function cachedModel(plan: HubPlan, folder: string): Promise<ResolvedModel | undefined> {
	const marker = await readCacheMarker(folder);
	const required = (plan.presetFiles ?? []).filter((file) => !file.optional).map((file) => file.path);
	const files = await completeVariantFiles(folder, marker, plan.variant, required);
	if (files === undefined || marker === undefined) return undefined;
	return resolvedFrom(plan, folder, marker, files);
}

async function downloadIntoCache(
	plan: HubPlan,
	folder: string,
	options: ResolveModelOptions & { endpoint: string; token: string | undefined; limits: DownloadLimits },
): Promise<ResolvedModel> {
	let marker = await readCacheMarker(folder);
	let layout: ModelLayout;
	let specs: HubFileSpec[];
	let commit = marker?.commit;
	if (plan.presetFiles !== undefined && plan.preset !== undefined) {
		layout = plan.preset.layout;
		specs = plan.presetFiles;
	} else {
		const listing = await fetchRepoListing({
			endpoint: options.endpoint,
			repo: plan.repo,
			revision: plan.revision,
			token: options.token,
			signal: options.signal,
			limits: options.limits,
		});
		const detected = detectLayout(listing.files);
		if (detected === undefined) {
			throw new HubError(
				'unsupported',
				`${plan.repo}@${plan.revision} is not in a supported layout: expected onnx/text_model.onnx + onnx/vision_model.onnx (transformers.js/Optimum export) or textual/model.onnx + visual/model.onnx (Immich export).`,
			);
		}
		layout = detected;
		specs = selectLayoutFiles(layout, listing.files, plan.variant, plan.repo).map((path) => ({ repo: plan.repo, revision: plan.revision, path }));
		if (marker !== undefined && marker.commit !== undefined && listing.commit !== undefined && marker.commit !== listing.commit) {
			// The branch moved since the cached files were fetched: mixing commits could pair
			// a text tower with another version's vision tower, so start this folder afresh.
			options.log?.(`${plan.repo}@${plan.revision} moved to commit ${listing.commit}; downloading it again.`);
			marker = undefined;
		}
		commit = listing.commit ?? commit;
	}
	const state: CacheMarker = marker ?? { format: 1, repo: plan.repo, revision: plan.revision, layout, files: {}, variants: {} };
	state.layout = layout;

	const size = plan.preset !== undefined && plan.variant === plan.preset.defaultVariant ? `, about ${formatBytes(plan.preset.approxDownloadBytes)}` : '';
	options.log?.(`Downloading ${plan.repo}@${plan.revision} (variant ${plan.variant}${size}) into ${folder}.`);
	const present: string[] = [];
	for (const spec of specs) {
		if (await isAlreadyCached(folder, state, spec)) {
			present.push(spec.path);
			continue;
		}
		// Naming the commit once known keeps every file of the model from the same snapshot.
		const urlRevision = commit ?? plan.revision;
		const downloaded = await downloadHubFile(
			{ ...spec, revision: urlRevision },
			{
				endpoint: options.endpoint,
				token: options.token,
				destination: join(folder, spec.path),
				onProgress: options.onProgress,
				log: options.log,
				progressLog: options.logProgress === false ? undefined : options.log,
				signal: options.signal,
				limits: options.limits,
			},
		);
		if (downloaded === undefined) {
			delete state.files[spec.path];
			continue;
		}
		if (commit === undefined && downloaded.commit !== undefined && /^[0-9a-f]{40}$/.test(downloaded.commit)) commit = downloaded.commit;
		state.files[spec.path] = { size: downloaded.size, sha256: downloaded.sha256 };
		if (commit !== undefined) state.commit = commit;
		// Recorded file by file so a crash between two large files does not lose the first.
		await writeCacheMarker(folder, state);
		present.push(spec.path);
	}
	state.variants[plan.variant] = { files: present, completedAt: new Date().toISOString() };
	if (commit !== undefined) state.commit = commit;
	await writeCacheMarker(folder, state);
	options.log?.(`${plan.repo}@${plan.revision} (variant ${plan.variant}) is ready in ${folder}.`);
	return resolvedFrom(plan, folder, state, present);
}

async function isAlreadyCached(folder: string, marker: CacheMarker, spec: HubFileSpec): Promise<boolean> {
	const record = marker.files[spec.path];
	if (record === undefined) return false;
	if (spec.size !== undefined && spec.size !== record.size) return false;
	if (spec.sha256 !== undefined && spec.sha256 !== record.sha256) return false;
	try {
		return (await stat(join(folder, spec.path))).size === record.size;
	} catch {
		return false;
	}
}

function resolvedFrom(plan: HubPlan, folder: string, marker: CacheMarker, files: string[]): ResolvedModel {
	return {
		folder,
		source: plan.source,
		...(plan.preset !== undefined ? { preset: plan.preset } : {}),
		repo: plan.repo,
		revision: plan.revision,
		...(marker.commit !== undefined ? { commit: marker.commit } : {}),
		layout: marker.layout,
		variant: plan.variant,
		files,
	};
}

function offlineError(plan: HubPlan, cacheDir: string, folder: string): HubError {
	const variant = plan.variant === (plan.preset?.defaultVariant ?? DEFAULT_VARIANT) ? '' : ` --variant ${plan.variant}`;
	const repoFolder = join(cacheDir, plan.repo.replace('/', '--'));
	return new HubError(
		'offline',
		`Model "${plan.modelRef}" (${plan.repo}@${plan.revision}, ${plan.variant}) is not in the model cache (${folder}) and offline mode is on ` +
			`(HF_HUB_OFFLINE or the offline option), so it cannot be downloaded. To provide it: on a machine with internet access run ` +
			`"npx clip-classify download ${plan.modelRef}${variant} --cache-dir <folder>" and copy <folder>/${plan.repo.replace('/', '--')} to ${repoFolder}; ` +
			`or copy a model folder to this machine and enter its path as the model.`,
	);
}

async function resolveLocalFolder(folder: string): Promise<ResolvedModel> {
	let isDirectory = false;
	try {
		isDirectory = (await stat(folder)).isDirectory();
	} catch {
		// Reported below.
	}
	if (!isDirectory) throw new HubError('not-found', `Local model folder ${folder} does not exist or is not a folder.`);
	const layout = detectLayout(await listLayoutCandidates(folder));
	return { folder, source: 'local', ...(layout !== undefined ? { layout } : {}) };
}

/** Only the folders the layouts use: a local model folder may sit next to large unrelated trees. */
async function listLayoutCandidates(folder: string): Promise<string[]> {
	const files: string[] = [];
	for (const sub of ['onnx', 'textual', 'visual']) {
		try {
			for (const name of await readdir(join(folder, sub))) files.push(`${sub}/${name}`);
		} catch {
			// Not this layout.
		}
	}
	return files;
}
