/**
 * The API bench's measurements, each against a running n8n with the bench workflows active:
 * images through the Classify node alone (a synchronous webhook, one request at a time), the same
 * images as jobs through the feature-extraction API (posted by several clients that poll as the
 * server's client does), and the time from a POST to its id while a queue of jobs waits.
 */
import { readFileSync } from 'node:fs';
import { percentile } from '../../test/e2e/featureExtractionApiFixtures';
import type { request as httpRequest } from '../../test/e2e/n8nServer';
import type { SeedApiClient } from '../../test/e2e/seedApiClient';
import { NODE_ALONE_PATH, TRIVIAL_PATH, type NodeAloneAnswer } from './apiBenchWorkflows';

type Request = typeof httpRequest;
const ZSIC = 'zero-shot-image-classification';
export const CLASSES = ['a cat', 'a dog', 'a car', 'a tree', 'a house', 'a person', 'food', 'a landscape'];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function dataUrlOf(file: string): string {
	return `data:image/jpeg;base64,${readFileSync(file).toString('base64')}`;
}

/** The probability rows of a node output or a job result (one image or a batch), in image order. */
export function probabilityRows(value: unknown): number[][] {
	if (Array.isArray(value)) return value.flatMap(probabilityRows);
	const probabilities = (value as { probabilities?: unknown } | null)?.probabilities;
	if (!Array.isArray(probabilities)) return [];
	return Array.isArray(probabilities[0]) ? (probabilities as number[][]) : [probabilities as number[]];
}

/** `jobs` jobs of `size` images each, taking the images in turn (data URLs). */
export function jobImages(images: readonly string[], jobs: number, size: number): string[][] {
	return Array.from({ length: jobs }, (_, j) => Array.from({ length: size }, (_, k) => images[(j * size + k) % images.length]));
}

export interface Throughput {
	readonly jobs: number;
	readonly images: number;
	/** From the first request to the last answer (API: the last job's `complete`). */
	readonly wallMs: number;
	/** Node alone: the Classify node's own time, summed over the requests. */
	readonly nodeMs?: number;
	/** API: POST → id of each job. */
	readonly idMs?: readonly number[];
	/** API: polls answered per second over the run. */
	readonly pollsPerSecond?: number;
	/** Probability rows of every image, in job order (for the agreement check). */
	readonly rows: readonly number[][];
}

/** One request per job, one at a time, through the node-alone webhook. */
export async function nodeAloneRun(request: Request, base: string, model: string, jobs: readonly string[][], batched: boolean): Promise<Throughput> {
	let nodeMs = 0;
	const rows: number[][] = [];
	const started = Date.now();
	for (const files of jobs) {
		const image = batched ? files.map(dataUrlOf) : dataUrlOf(files[0]);
		const answer = await request('POST', `${base}/webhook/${NODE_ALONE_PATH}`, { model, image, classes: CLASSES });
		const body = answer.body as NodeAloneAnswer;
		if (answer.status !== 200 || body.error !== undefined || body.output === undefined) throw new Error(`node alone answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
		nodeMs += body.nodeMs;
		rows.push(...probabilityRows(body.output));
	}
	return { jobs: jobs.length, images: jobs.reduce((n, files) => n + files.length, 0), wallMs: Date.now() - started, nodeMs, rows };
}

interface PolledJob {
	readonly id: string;
	readonly idMs: number;
	/** Resolves with the job's result once a poll says `complete`. */
	readonly done: Promise<unknown>;
}

/** Posts one job; then, unless `pollMs` is null, polls it as the server's client does. */
async function postAndPoll(client: SeedApiClient, model: string, files: readonly string[], batched: boolean, pollMs: number | null, polls: { count: number }): Promise<PolledJob> {
	const body = { image: batched ? files.map(dataUrlOf) : dataUrlOf(files[0]), classes: CLASSES };
	const started = Date.now();
	const posted = await client.postJob(ZSIC, model, body, batched);
	if (posted.status !== 200) throw new Error(`POST job answered ${posted.status}: ${JSON.stringify(posted.body).slice(0, 300)}`);
	const { id } = posted.body as { id: string };
	const idMs = Date.now() - started;
	const done = pollMs === null ? Promise.resolve(undefined) : waitForJob(client, id, batched, pollMs, polls);
	return { id, idMs, done };
}

/** Polls every `pollMs` until `complete` (resolves with the result) or `failed` (throws). */
export async function waitForJob(client: SeedApiClient, id: string, batched: boolean, pollMs: number, polls: { count: number }, timeoutMs = 600_000): Promise<unknown> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const answer = await client.getJob<unknown>(ZSIC, id, batched);
		polls.count++;
		const state = answer.body as { status: string; result?: unknown; error?: string };
		if (answer.status !== 200) throw new Error(`GET job ${id} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
		if (state.status === 'complete') return state.result;
		if (state.status === 'failed') throw new Error(`job ${id} failed: ${state.error}`);
		if (Date.now() > deadline) throw new Error(`job ${id} still ${state.status} after ${timeoutMs} ms`);
		await sleep(pollMs);
	}
}

/** Every job through the API, `clients` at a time (each client posts its next job when the last completes). */
export async function apiRun(client: SeedApiClient, model: string, jobs: readonly string[][], batched: boolean, clients: number, pollMs: number): Promise<Throughput> {
	const polls = { count: 0 };
	const results: unknown[] = new Array(jobs.length);
	const idMs: number[] = [];
	let next = 0;
	const started = Date.now();
	await Promise.all(
		Array.from({ length: Math.min(clients, jobs.length) }, async () => {
			while (next < jobs.length) {
				const index = next++;
				const job = await postAndPoll(client, model, jobs[index], batched, pollMs, polls);
				idMs.push(job.idMs);
				results[index] = await job.done;
			}
		}),
	);
	const wallMs = Date.now() - started;
	return { jobs: jobs.length, images: jobs.reduce((n, files) => n + files.length, 0), wallMs, idMs, pollsPerSecond: polls.count / (wallMs / 1000), rows: results.flatMap(probabilityRows) };
}

export interface Latencies {
	/** POST of a single 1 MP job → its id. */
	readonly jobIdMs: readonly number[];
	/** The trivial webhook with an empty body. */
	readonly trivialMs: readonly number[];
	/** The trivial webhook with the same 1 MP job body (upload and JSON parse, no workflow work). */
	readonly trivialImageMs: readonly number[];
	/** Jobs of the queue not yet complete when the probes started and ended (null: no queue). */
	readonly queuedAtStart: number | null;
	readonly queuedAtEnd: number | null;
	readonly pollsPerSecond: number;
}

/**
 * `probes` rounds, `gapMs` apart, each: a single job POST (time to its id), the trivial webhook
 * empty, and with the job's body. The probe jobs join the queue; they are drained afterwards.
 */
async function probe(client: SeedApiClient, request: Request, base: string, model: string, image: string, probes: number, gapMs: number): Promise<{ jobIdMs: number[]; trivialMs: number[]; trivialImageMs: number[]; probeJobs: string[] }> {
	const body = { image: dataUrlOf(image), classes: CLASSES };
	const jobIdMs: number[] = [];
	const trivialMs: number[] = [];
	const trivialImageMs: number[] = [];
	const probeJobs: string[] = [];
	const timed = async (call: () => Promise<unknown>): Promise<number> => {
		const started = Date.now();
		await call();
		return Date.now() - started;
	};
	for (let i = 0; i < probes; i++) {
		jobIdMs.push(
			await timed(async () => {
				const posted = await client.postJob(ZSIC, model, body);
				if (posted.status !== 200) throw new Error(`probe POST answered ${posted.status}`);
				probeJobs.push((posted.body as { id: string }).id);
			}),
		);
		trivialMs.push(await timed(() => request('POST', `${base}/webhook/${TRIVIAL_PATH}`, {})));
		trivialImageMs.push(await timed(() => request('POST', `${base}/webhook/${TRIVIAL_PATH}`, body)));
		await sleep(gapMs);
	}
	return { jobIdMs, trivialMs, trivialImageMs, probeJobs };
}

async function unfinished(client: SeedApiClient, ids: readonly string[], batched: boolean): Promise<number> {
	let count = 0;
	for (const id of ids) {
		const state = (await client.getJob(ZSIC, id, batched)).body as { status: string };
		if (state.status !== 'complete' && state.status !== 'failed') count++;
	}
	return count;
}

/**
 * POST → id while `queued` batched jobs wait (0: an idle n8n). `pollMs` null: their clients do not
 * poll while the probes run (the queue's cost alone); a number: each polls at that interval (the
 * server's client: 100 ms). Afterwards every job is waited for (and must complete).
 */
export async function latencyRun(
	client: SeedApiClient,
	request: Request,
	base: string,
	model: string,
	queue: readonly string[][],
	probeImage: string,
	{ pollMs, probes, gapMs }: { pollMs: number | null; probes: number; gapMs: number },
): Promise<Latencies> {
	const polls = { count: 0 };
	const posted = await Promise.all(queue.map((files) => postAndPoll(client, model, files, true, pollMs, polls)));
	const ids = posted.map((job) => job.id);
	const queuedAtStart = queue.length > 0 ? await unfinished(client, ids, true) : null;
	const pollsBefore = polls.count;
	const started = Date.now();
	const measured = await probe(client, request, base, model, probeImage, probes, gapMs);
	const probeSeconds = (Date.now() - started) / 1000;
	const pollsPerSecond = (polls.count - pollsBefore) / probeSeconds;
	const queuedAtEnd = queue.length > 0 ? await unfinished(client, ids, true) : null;
	// Drain: the queue's own pollers, then slow polls for the rest.
	await Promise.all(posted.map((job) => job.done));
	const drain = { count: 0 };
	await Promise.all([...(pollMs === null ? ids.map((id) => waitForJob(client, id, true, 1000, drain)) : []), ...measured.probeJobs.map((id) => waitForJob(client, id, false, 1000, drain))]);
	return { jobIdMs: measured.jobIdMs, trivialMs: measured.trivialMs, trivialImageMs: measured.trivialImageMs, queuedAtStart, queuedAtEnd, pollsPerSecond };
}

export function median(values: readonly number[]): number {
	return percentile([...values], 50);
}

export function p95(values: readonly number[]): number {
	return percentile([...values], 95);
}

/** The largest |Δp| between two sets of probability rows (Infinity when their shapes differ). */
export function maxRowDifference(a: readonly number[][], b: readonly number[][]): number {
	if (a.length !== b.length) return Number.POSITIVE_INFINITY;
	let max = 0;
	for (let i = 0; i < a.length; i++) {
		if (a[i].length !== b[i].length) return Number.POSITIVE_INFINITY;
		for (let k = 0; k < a[i].length; k++) max = Math.max(max, Math.abs(a[i][k] - b[i][k]));
	}
	return max;
}
