/**
 * A client of the replaced feature-extraction server, written from its OpenAPI document
 * (../shared/seed-api/openapi.json) the way its own client (vitrivr-engine's fes module) uses it:
 * base URL + the document's paths, POST a job, poll its GET route until `complete` or `failed`.
 * Every answer is validated against the document's schema for that route and status (Ajv, JSON
 * Schema 2020-12 as OpenAPI 3.1 uses); an answer the document does not describe fails the
 * validation, except the two the server gave outside its document (404 for an unknown job or
 * route, with FastAPI's `{"detail": "..."}`; 500 for a failed legacy run).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import type { request as httpRequest } from './n8nServer';

export const SEED_API_DOCUMENT = path.join(__dirname, '..', '..', '..', 'shared', 'seed-api', 'openapi.json');
export const seedApiAvailable = existsSync(SEED_API_DOCUMENT);

export type Task = 'zero-shot-image-classification' | 'image-embedding' | 'text-embedding';
type Request = typeof httpRequest;

interface OpenApiDocument {
	paths: Record<string, Record<string, { responses: Record<string, { content?: { 'application/json'?: { schema: object } } }> }>>;
}

/** What the server answered outside its document: FastAPI's error body. */
const DETAIL_SCHEMA = { type: 'object', required: ['detail'], properties: { detail: { type: 'string' } } };

export interface Answer<T = unknown> {
	status: number;
	body: T;
	ms: number;
}

export interface JobRun<T = unknown> {
	id: string;
	status: 'complete' | 'failed';
	result?: T;
	error?: string;
	polls: number;
	/** Milliseconds from sending the POST to receiving the id. */
	idMs: number;
	/** Milliseconds from sending the POST to the final poll's answer. */
	totalMs: number;
}

export class SeedApiClient {
	private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
	private readonly document: OpenApiDocument;
	private readonly validators = new Map<string, ValidateFunction>();
	/** Every answer received, with the template path it was checked against. */
	readonly answers: Array<{ method: string; template: string; status: number }> = [];

	constructor(
		readonly baseUrl: string,
		private readonly request: Request,
	) {
		this.document = JSON.parse(readFileSync(SEED_API_DOCUMENT, 'utf8')) as OpenApiDocument;
		this.ajv.addSchema(this.document, 'openapi.json');
	}

	/** The document's schema for this route and status; throws when the document has none. */
	private validator(method: string, template: string, status: number): ValidateFunction {
		const key = `${method} ${template} ${status}`;
		let validate = this.validators.get(key);
		if (!validate) {
			const route = this.document.paths[template]?.[method.toLowerCase()];
			if (!route) throw new Error(`the document has no ${method} ${template}`);
			const response = route.responses[String(status)];
			if (!response?.content?.['application/json']) {
				if (status === 404 || (status === 500 && template.startsWith('/api/legacy/'))) validate = this.ajv.compile(DETAIL_SCHEMA);
				else throw new Error(`${method} ${template} answered ${status}, which the document does not describe`);
			} else {
				const pointer = `openapi.json#/paths/${template.replace(/~/g, '~0').replace(/\//g, '~1')}/${method.toLowerCase()}/responses/${status}/content/application~1json/schema`;
				validate = this.ajv.getSchema(pointer) as ValidateFunction;
			}
			this.validators.set(key, validate);
		}
		return validate;
	}

	/** One call of a documented route: `template` is the document's path, `values` fill its {parameters}. */
	async call<T = unknown>(method: 'GET' | 'POST', template: string, values: Record<string, string>, body?: unknown): Promise<Answer<T>> {
		const url = this.baseUrl + template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name]));
		const started = Date.now();
		const answer = await this.request(method, url, body);
		const ms = Date.now() - started;
		const validate = this.validator(method, template, answer.status);
		if (!validate(answer.body)) {
			throw new Error(`${method} ${url} answered ${answer.status} with a body the document does not allow: ${this.ajv.errorsText(validate.errors)}\n${JSON.stringify(answer.body).slice(0, 500)}`);
		}
		this.answers.push({ method, template, status: answer.status });
		return { status: answer.status, body: answer.body as T, ms };
	}

	postJob(task: Task, model: string, body: unknown, batched = false): Promise<Answer<{ id: string; status: string } | { detail: unknown }>> {
		return this.call('POST', `/api/tasks/${task}${batched ? '/batched' : ''}/{model}/jobs`, { model }, body);
	}

	getJob<T>(task: Task, job: string, batched = false): Promise<Answer<{ status: string; result?: T; error?: string } | { detail: string }>> {
		return this.call('GET', `/api/tasks/${task}${batched ? '/batched' : ''}/jobs/{job}`, { job });
	}

	legacy<T>(task: Task, model: string, body: unknown): Promise<Answer<T>> {
		return this.call('POST', `/api/legacy/tasks/${task}/{model}/jobs`, { model }, body);
	}

	/**
	 * The server's client loop: POST the job, then poll every `pollMs` until `complete` or
	 * `failed`. A POST or a poll that does not answer 200 throws (the server's client counts it
	 * as a failed attempt).
	 */
	async run<T>(task: Task, model: string, body: unknown, { batched = false, pollMs = 100, timeoutMs = 180_000 } = {}): Promise<JobRun<T>> {
		const started = Date.now();
		const posted = await this.postJob(task, model, body, batched);
		if (posted.status !== 200) throw new Error(`POST ${task} job answered ${posted.status}: ${JSON.stringify(posted.body)}`);
		const { id } = posted.body as { id: string };
		const idMs = Date.now() - started;
		for (let polls = 1; ; polls++) {
			const answer = await this.getJob<T>(task, id, batched);
			if (answer.status !== 200) throw new Error(`GET ${task} job ${id} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
			const state = answer.body as { status: string; result?: T; error?: string };
			if (state.status === 'complete' || state.status === 'failed') {
				return { id, status: state.status, result: state.result, error: state.error, polls, idMs, totalMs: Date.now() - started };
			}
			if (Date.now() - started > timeoutMs) throw new Error(`job ${id} still ${state.status} after ${timeoutMs} ms`);
			await new Promise((resolve) => setTimeout(resolve, pollMs));
		}
	}
}
