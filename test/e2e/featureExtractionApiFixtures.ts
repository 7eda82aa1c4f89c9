/**
 * What the feature-extraction API specifications share (main mode with the data table store,
 * queue mode with the PostgreSQL store): the models behind the server's model names, the images,
 * the engine's own answers to compare with, the workflow as shipped with only its models set, and
 * the load of many jobs from several clients at once.
 */
import path from 'node:path';
import { generateTestModels } from '../fixtures/generateTestModels';
import { dataUrl, maxAbsDifference, runReference, writeImages, type ImageSpec } from './clipE2eFixtures';
import type { Workflow } from './n8nRunner';
import type { request as httpRequest } from './n8nServer';
import { SeedApiClient, type JobRun, type Task } from './seedApiClient';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runner = require('./n8nRunner') as typeof import('./n8nRunner');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const examples = require('../../scripts/exampleWorkflows') as {
	loadExample(name: 'featureExtractionApi' | 'featureExtractionApiPostgres'): Workflow;
	withApiSettings<W>(workflow: W, settings: Record<string, unknown>): W;
	presetIds(): string[];
	PACKAGE_NAME: string;
};

/** Probabilities and embeddings of n8n against the engine run on its own: the same code, the same numbers (the bound). */
export const API_TOLERANCE = 1e-6;
export const PREFIX = 'feature-extraction';

/**
 * The server's two model names stand for tiny random-weight models of the same layouts (a
 * Hugging Face-layout CLIP for ViT-L/14, the Immich-layout multilingual XLM-RoBERTa CLIP for
 * OpenCLIP ViT-B/32), plus a slower model for jobs that must still be running when n8n is killed.
 */
export interface ApiModels {
	'clip-vit-large-patch14': string;
	'open-clip-vit-b32': string;
	'slow-clip': string;
}

export async function writeApiModels(dir: string): Promise<ApiModels> {
	const tiny = await generateTestModels(path.join(dir, 'tiny'), { layouts: ['hf', 'immichMultilingual'], hfVariants: false });
	// ~0.5 GFLOP per image: a batch of a few dozen images keeps a job running for seconds.
	const slow = await generateTestModels(path.join(dir, 'slow'), {
		layouts: ['hf'],
		hfVariants: false,
		dims: { patchSize: 16, visionWidth: 256, visionLayers: 8, visionHeads: 4 },
	});
	if (!tiny.hf || !tiny.immichMultilingual || !slow.hf) throw new Error('the generator wrote no model');
	return { 'clip-vit-large-patch14': tiny.hf.dir, 'open-clip-vit-b32': tiny.immichMultilingual.dir, 'slow-clip': slow.hf.dir };
}

/** Every preset stays listed under its id (runs of them would download it); the server's names point at the test models. */
export function apiModelMap(models: ApiModels): Record<string, string> {
	const map: Record<string, string> = {};
	for (const id of examples.presetIds()) map[id] = id;
	return { ...map, ...models };
}

/** The shipped workflow (one store), its node types renamed for N8N_CUSTOM_EXTENSIONS, with only its settings changed. */
export function apiWorkflow(store: 'dataTable' | 'postgres', models: ApiModels, settings: Record<string, unknown> = {}): Workflow {
	const shipped = examples.loadExample(store === 'dataTable' ? 'featureExtractionApi' : 'featureExtractionApiPostgres');
	return runner.rewriteNodeTypes(examples.withApiSettings(shipped, { models: apiModelMap(models), ...settings }), examples.PACKAGE_NAME, runner.CUSTOM_PACKAGE_NAME);
}

/** The images: five kinds, two seeds, in the three formats the server's clients send. */
export async function writeApiImages(dir: string): Promise<string[]> {
	const specs: ImageSpec[] = [];
	for (const seed of [0, 1]) {
		for (const [kind, format] of [['stripes', 'png'], ['checker', 'jpeg'], ['gradient', 'webp'], ['blobs', 'png'], ['noise', 'jpeg']] as const) {
			specs.push({ name: `${kind}-${seed}.${format === 'jpeg' ? 'jpg' : format}`, kind, format, seed });
		}
	}
	return writeImages(dir, specs);
}

/**
 * Waits until the API answers an unknown job with its own 404: the webhooks are registered and the
 * job store exists (made when n8n starts).
 */
export async function waitForApi(base: string, request: typeof httpRequest, timeoutMs = 90_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	let last = '';
	for (;;) {
		const answer = await request('GET', `${base}/api/tasks/zero-shot-image-classification/jobs/00000000-0000-4000-8000-000000000000`).catch((error: Error) => ({ status: 0, body: error.message }));
		if (answer.status === 404 && (answer.body as { detail?: string }).detail === 'Job not found') return;
		last = `${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`;
		if (Date.now() > deadline) throw new Error(`the feature-extraction API did not come up within ${timeoutMs} ms (last answer: ${last})`);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}

/** One job of a load, with what the engine itself gives for it. */
export interface LoadJob {
	task: Task;
	model: keyof ApiModels;
	batched: boolean;
	body: Record<string, unknown>;
	/** The expected result: the `result` object (or list) a complete job answers. */
	expected: unknown;
}

type ResultValue = { probabilities?: number[]; embedding?: number[] };

/** The largest difference between two results of the same shape (probabilities or embeddings, one or a list). */
export function resultDifference(actual: unknown, expected: unknown): number {
	const list = (value: unknown): ResultValue[] => (Array.isArray(value) ? (value as ResultValue[]) : [value as ResultValue]);
	const a = list(actual);
	const b = list(expected);
	if (a.length !== b.length) return Number.POSITIVE_INFINITY;
	return Math.max(
		...a.map((entry, i) => {
			const x = entry.probabilities ?? entry.embedding;
			const y = b[i].probabilities ?? b[i].embedding;
			if (!x || !y || x.length !== y.length) return Number.POSITIVE_INFINITY;
			return maxAbsDifference(x, y);
		}),
	);
}

const CLASS_LISTS = [
	['red stripes', 'green checker', 'colour gradient'],
	['yellow blob', 'static noise'],
	['a cat', 'a dog', 'a car', 'a tree'],
];
const TEXTS = ['a red bicycle', 'a cat on a sofa', 'Ein Hund im Schnee', 'un coche azul'];

/**
 * `count` jobs over every task, model name and route (single, batched), with the engine's answers.
 * Batched jobs take 2–4 images or texts.
 */
export function mixedJobs(count: number, images: string[], models: ApiModels): LoadJob[] {
	const names: Array<keyof ApiModels> = ['clip-vit-large-patch14', 'open-clip-vit-b32'];
	const tasks: Task[] = ['zero-shot-image-classification', 'image-embedding', 'text-embedding'];
	const jobs: Array<Omit<LoadJob, 'expected'> & { files: string[]; texts: string[]; classes: string[] }> = [];
	for (let i = 0; i < count; i++) {
		const task = tasks[i % 3];
		const model = names[Math.floor(i / 3) % 2];
		const batched = Math.floor(i / 6) % 2 === 1;
		const size = batched ? 2 + (i % 3) : 1;
		const files = Array.from({ length: size }, (_, k) => images[(i + 3 * k) % images.length]);
		const texts = Array.from({ length: size }, (_, k) => TEXTS[(i + k) % TEXTS.length]);
		const classes = CLASS_LISTS[i % CLASS_LISTS.length];
		const field = task === 'text-embedding' ? { text: batched ? texts : texts[0] } : { image: batched ? files.map(dataUrl) : dataUrl(files[0]) };
		jobs.push({ task, model, batched, body: task === 'zero-shot-image-classification' ? { ...field, classes } : field, files, texts, classes });
	}
	// The engine's answers, one reference run per model.
	const expected = new Map<number, unknown>();
	for (const name of names) {
		const mine = jobs.map((job, i) => ({ job, i })).filter(({ job }) => job.model === name);
		const zeroShot = mine.filter(({ job }) => job.task === 'zero-shot-image-classification');
		const imageJobs = mine.filter(({ job }) => job.task === 'image-embedding');
		const textJobs = mine.filter(({ job }) => job.task === 'text-embedding');
		const reference = runReference({
			model: models[name],
			requests: zeroShot.flatMap(({ job }) => job.files.map((file) => ({ file, classes: job.classes }))),
			imageEmbeddings: imageJobs.flatMap(({ job }) => job.files.map((file) => ({ file }))),
			textEmbeddings: textJobs.flatMap(({ job }) => job.texts),
		});
		const take = <T>(source: T[], jobsOfKind: typeof mine, wrap: (value: T) => unknown) => {
			let next = 0;
			for (const { job, i } of jobsOfKind) {
				const size = job.batched ? job.files.length : 1;
				const values = source.slice(next, next + size).map(wrap);
				next += size;
				expected.set(i, job.batched ? values : values[0]);
			}
		};
		take(reference.results, zeroShot, (r) => ({ probabilities: (r as { probabilities: number[] }).probabilities }));
		take(reference.imageEmbeddings ?? [], imageJobs, (e) => ({ embedding: e as number[] }));
		take(reference.textEmbeddings ?? [], textJobs, (e) => ({ embedding: e }));
	}
	return jobs.map(({ task, model, batched, body }, i) => ({ task, model, batched, body, expected: expected.get(i) }));
}

export interface LoadOutcome {
	runs: Array<JobRun | Error>;
	wallMs: number;
}

/** Runs every job through the server's client loop, `clients` at a time (each client one job after the other). */
export async function runLoad(client: SeedApiClient, jobs: LoadJob[], clients: number): Promise<LoadOutcome> {
	const runs: Array<JobRun | Error> = new Array(jobs.length);
	let next = 0;
	const started = Date.now();
	await Promise.all(
		Array.from({ length: clients }, async () => {
			while (next < jobs.length) {
				const index = next++;
				const job = jobs[index];
				runs[index] = await client.run(job.task, job.model, job.body, { batched: job.batched }).catch((error: Error) => error);
			}
		}),
	);
	return { runs, wallMs: Date.now() - started };
}

/** What went wrong in a load, one line per job (empty when every job completed with the engine's result). */
export function loadProblems(jobs: LoadJob[], runs: Array<JobRun | Error>): string[] {
	return runs.flatMap((run, i) => {
		const what = `job ${i} (${jobs[i].task}${jobs[i].batched ? ', batched' : ''}, ${jobs[i].model})`;
		if (run instanceof Error) return [`${what}: ${run.message}`];
		if (run.status !== 'complete') return [`${what}: ${run.status} ${run.error ?? ''}`];
		const difference = resultDifference(run.result, jobs[i].expected);
		return difference < API_TOLERANCE ? [] : [`${what}: differs from the engine by ${difference}`];
	});
}

export function percentile(values: number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
