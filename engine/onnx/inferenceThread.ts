import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { deserializeError } from '../threadErrors';
import type { InferenceReply, InferenceRequest, InferenceThreadData } from './inferenceMessages';
import type { RuntimeOptions } from './runtimeOptions';
import type { SessionRunner } from './sessionRunner';
import type { TensorData } from './tensorData';
import type { TensorSignature } from './tensorSignature';

/**
 * Models run on inference threads. onnxruntime-node's `run` is synchronous: on n8n's thread, every
 * batch froze the whole instance (editor, webhooks, other executions) for as long as the graph ran,
 * about a second per batch of 16 on ViT-B/32 and over ten on ViT-L/14.
 */

/** N8N_ZSIC_INFERENCE_THREAD=0 runs models on the calling thread (as before; for comparison and debugging). */
export const INFERENCE_THREAD_ENV = 'N8N_ZSIC_INFERENCE_THREAD';
/** N8N_ZSIC_INFERENCE_NICE: the inference threads' nice value on Linux (0–19); 0 leaves them at n8n's priority. */
export const INFERENCE_NICE_ENV = 'N8N_ZSIC_INFERENCE_NICE';
/**
 * Lower than n8n's own thread, so webhooks and the editor are served first when both want a core;
 * inference still gets every core n8n leaves idle (a nice value only matters under contention).
 */
export const DEFAULT_INFERENCE_NICE = 10;
/** Compiled beside this file; absent when the engine runs from TypeScript sources (ts-jest). */
const WORKER_SCRIPT = join(__dirname, 'inferenceWorker.js');

let warnedFallback = false;

export function inferenceThreadsEnabled(): boolean {
	return process.env[INFERENCE_THREAD_ENV]?.trim() !== '0' && existsSync(WORKER_SCRIPT);
}

export function configuredNice(): number {
	const raw = process.env[INFERENCE_NICE_ENV]?.trim();
	if (raw === undefined || raw === '') return DEFAULT_INFERENCE_NICE;
	const nice = Number(raw);
	return Number.isInteger(nice) && nice >= 0 && nice <= 19 ? nice : DEFAULT_INFERENCE_NICE;
}

interface PendingRun {
	resolve(outputs: Record<string, TensorData>): void;
	reject(error: Error): void;
}

/** The error a load that never reached ONNX Runtime (or a runtime refusal) rejects with. */
export class InferenceLoadError extends Error {
	constructor(
		readonly cause: Error,
		/** The backend itself could not load (the cause is the engine's own error, to pass on as it is). */
		readonly fromBackend: boolean,
	) {
		super(cause.message);
	}
}

/** One model file on a thread of its own; runs are sent to it one by one (the caller queues them). */
export class ThreadedSession implements SessionRunner {
	private readonly pending = new Map<number, PendingRun>();
	private nextId = 0;
	private stopped: Error | undefined;
	private released: (() => void) | undefined;

	private constructor(
		private readonly worker: Worker,
		readonly backend: 'native' | 'wasm',
		readonly inputs: readonly TensorSignature[],
		readonly outputs: readonly TensorSignature[],
	) {
		worker.on('message', (reply: InferenceReply) => this.onReply(reply));
		worker.on('error', (error) => this.stop(error));
		worker.on('exit', (code) => this.stop(new Error(`exit code ${code}`)));
		// An idle loaded model must not keep the process alive (the CLI exits when its work is done).
		worker.unref();
	}

	static load(path: string, runtime: RuntimeOptions): Promise<ThreadedSession> {
		// Read by ONNX Runtime from the process environment, which a worker's process.env does not
		// write: set here, on the main thread, before the first thread loads the native module.
		process.env.ORT_DISABLE_TELEMETRY ??= '1';
		const threadData: InferenceThreadData = { path, runtime, nice: configuredNice() };
		const worker = new Worker(WORKER_SCRIPT, { workerData: threadData });
		return new Promise((resolve, reject) => {
			const failed = (error: Error): void => {
				cleanup();
				void worker.terminate();
				reject(new InferenceLoadError(error, false));
			};
			const onExit = (code: number): void => failed(new Error(`the inference thread stopped while loading the model (exit code ${code})`));
			const onMessage = (reply: InferenceReply): void => {
				cleanup();
				if (reply.kind === 'ready') {
					if (reply.fallbackWarning && !warnedFallback) {
						warnedFallback = true;
						process.emitWarning(reply.fallbackWarning);
					}
					resolve(new ThreadedSession(worker, reply.backend, reply.inputs, reply.outputs));
				} else if (reply.kind === 'loadFailed') {
					void worker.terminate();
					reject(new InferenceLoadError(deserializeError(reply.error), reply.fromBackend));
				}
			};
			const cleanup = (): void => {
				worker.off('message', onMessage);
				worker.off('error', failed);
				worker.off('exit', onExit);
			};
			worker.on('message', onMessage);
			worker.on('error', failed);
			worker.on('exit', onExit);
		});
	}

	run(feeds: Record<string, TensorData>, outputNames: readonly string[]): Promise<Record<string, TensorData>> {
		if (this.stopped) return Promise.reject(this.stopped);
		const id = this.nextId++;
		return new Promise((resolve, reject) => {
			this.pending.set(id, { resolve, reject });
			// Referenced while a run is under way: a pending result keeps the process alive.
			this.worker.ref();
			// Copied, not transferred: image batches are views into buffers the pipeline reuses.
			const request: InferenceRequest = { kind: 'run', id, feeds, outputNames };
			this.worker.postMessage(request);
		});
	}

	async release(): Promise<void> {
		if (!this.stopped) {
			const done = new Promise<void>((resolve) => (this.released = resolve));
			this.worker.ref();
			this.worker.postMessage({ kind: 'release' } satisfies InferenceRequest);
			// Whichever comes first: the thread says the session is released, or it stops.
			await done;
		}
		await this.worker.terminate();
	}

	private onReply(reply: InferenceReply): void {
		if (reply.kind === 'released') {
			this.stopped ??= new Error('the model was released');
			this.released?.();
			return;
		}
		if (reply.kind !== 'result' && reply.kind !== 'runFailed') return;
		const run = this.pending.get(reply.id);
		if (!run) return;
		this.pending.delete(reply.id);
		if (this.pending.size === 0) this.worker.unref();
		if (reply.kind === 'result') run.resolve(reply.outputs);
		else run.reject(deserializeError(reply.error));
	}

	/** The thread is gone (crashed, killed, exited): every waiting run fails, and so does any later one. */
	private stop(cause: Error): void {
		this.stopped ??= new Error(`the inference thread stopped (${cause.message})`);
		for (const run of this.pending.values()) run.reject(this.stopped);
		this.pending.clear();
		this.released?.();
	}
}
