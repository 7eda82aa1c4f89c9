import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { preprocessImage, type PreprocessOptions } from './preprocessImage';
import { deserializeError } from '../threadErrors';
import type { PreprocessReply, PreprocessRequest } from './preprocessMessages';
import type { PreprocessSpec } from './preprocessSpec';

/**
 * Image preprocessing on worker threads. onnxruntime-node's `run` blocks the main thread for
 * the whole batch, and exact resampling is JavaScript: on the main thread, decoding the next
 * batch could not overlap inference at all. Workers keep preprocessing while a batch is
 * inferred, and keep n8n's event loop free of the resampling.
 */

/** N8N_ZSIC_PREPROCESS_WORKERS: worker threads for preprocessing; 0 preprocesses on the main thread. */
export const WORKERS_ENV = 'N8N_ZSIC_PREPROCESS_WORKERS';
/** Beyond this, more threads mostly add memory (a decoded 12 MP photo is 36 MB per thread). */
const MAX_DEFAULT_WORKERS = 8;
/** Idle workers are stopped after this, returning their memory (about 30 MB each). */
const IDLE_MS = 30_000;
/** Compiled beside this file; absent when the engine runs from TypeScript sources (ts-jest). */
const WORKER_SCRIPT = join(__dirname, 'preprocessWorker.js');

interface Job {
	readonly request: PreprocessRequest;
	resolve(pixels: Float32Array): void;
	reject(error: Error): void;
}

interface PoolWorker {
	readonly worker: Worker;
	job: Job | undefined;
}

function configuredWorkers(): number {
	const raw = process.env[WORKERS_ENV];
	if (raw !== undefined && raw.trim() !== '') {
		const n = Number(raw);
		if (Number.isInteger(n) && n >= 0) return n;
	}
	return Math.min(MAX_DEFAULT_WORKERS, availableParallelism());
}

class PreprocessPool {
	private readonly workers: PoolWorker[] = [];
	private readonly queue: Job[] = [];
	private nextId = 0;
	private idleTimer: NodeJS.Timeout | undefined;

	constructor(private readonly size: number) {}

	run(input: Buffer, spec: PreprocessSpec, options: PreprocessOptions): Promise<Float32Array> {
		return new Promise((resolve, reject) => {
			// The bytes are copied to the worker, never transferred: the caller (n8n) may still own the buffer.
			this.queue.push({ request: { id: this.nextId++, input, spec, options }, resolve, reject });
			this.dispatch();
		});
	}

	private dispatch(): void {
		if (this.idleTimer) clearTimeout(this.idleTimer);
		this.idleTimer = undefined;
		while (this.queue.length > 0) {
			const free = this.workers.find((w) => w.job === undefined) ?? (this.workers.length < this.size ? this.spawn() : undefined);
			if (!free) return;
			const job = this.queue.shift() as Job;
			free.job = job;
			// Referenced only while busy: a pending image keeps the process alive, an idle pool does not.
			free.worker.ref();
			free.worker.postMessage(job.request);
		}
		if (this.workers.every((w) => w.job === undefined)) {
			this.idleTimer = setTimeout(() => this.stopIdle(), IDLE_MS);
			this.idleTimer.unref();
		}
	}

	private spawn(): PoolWorker {
		const entry: PoolWorker = { worker: new Worker(WORKER_SCRIPT), job: undefined };
		entry.worker.on('message', (reply: PreprocessReply) => {
			const job = entry.job;
			entry.job = undefined;
			entry.worker.unref();
			if (job) {
				if ('pixels' in reply) job.resolve(reply.pixels);
				else job.reject(deserializeError(reply.error));
			}
			this.dispatch();
		});
		const fail = (error: Error): void => {
			this.workers.splice(this.workers.indexOf(entry), 1);
			const job = entry.job;
			entry.job = undefined;
			job?.reject(new Error(`the image preprocessing thread stopped (${error.message})`));
			this.dispatch();
		};
		entry.worker.on('error', fail);
		entry.worker.on('exit', (code) => {
			if (this.workers.includes(entry)) fail(new Error(`exit code ${code}`));
		});
		this.workers.push(entry);
		return entry;
	}

	private stopIdle(): void {
		for (const entry of this.workers.splice(0)) void entry.worker.terminate();
	}
}

let shared: PreprocessPool | undefined;
let sharedSize = -1;

function pool(): PreprocessPool | undefined {
	const size = existsSync(WORKER_SCRIPT) ? configuredWorkers() : 0;
	if (size === 0) return undefined;
	if (!shared || sharedSize !== size) {
		shared = new PreprocessPool(size);
		sharedSize = size;
	}
	return shared;
}

/**
 * `preprocessImage` into `target` at `offset`, on a worker thread when the pool is available
 * (compiled engine, workers not disabled), else on this thread. Same pixels, same errors.
 *
 * Only fast resampling stays here; the other modes' JavaScript resampler is what occupies this
 * thread (and one core). Fast resampling is libvips on libuv's threads already, and handing it
 * to a worker only adds copying (measured: 3.5% slower on 1 MP photos, 2 cores).
 */
export async function preprocessOffThread(input: Buffer, spec: PreprocessSpec, options: PreprocessOptions, target: Float32Array, offset: number): Promise<void> {
	const workers = options.resampling === 'fast' ? undefined : pool();
	if (!workers) {
		await preprocessImage(input, spec, options, target, offset);
		return;
	}
	target.set(await workers.run(input, spec, options), offset);
}
