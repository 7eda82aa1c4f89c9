import { access } from 'node:fs/promises';
import { EngineError, ModelFileError, errorMessage } from '../errors';
import { InferenceLoadError, inferenceThreadsEnabled, ThreadedSession } from './inferenceThread';
import { LocalSession } from './localSession';
import type { RuntimeOptions } from './runtimeOptions';
import type { SessionRunner } from './sessionRunner';
import type { TensorData } from './tensorData';
import type { TensorSignature } from './tensorSignature';

/**
 * One ONNX model file loaded into ONNX Runtime, on an inference thread of its own when the engine
 * runs compiled (see inferenceThread.ts), else on the calling thread. Runs are queued: on a small
 * box, two concurrent runs on the same cores are slower than the same runs one after the other,
 * and the queue keeps memory to one run's activations.
 */
export class OnnxSession {
	private tail: Promise<unknown> = Promise.resolve();

	private constructor(
		readonly path: string,
		private readonly runner: SessionRunner,
	) {}

	get backend(): 'native' | 'wasm' {
		return this.runner.backend;
	}

	get inputs(): readonly TensorSignature[] {
		return this.runner.inputs;
	}

	get outputs(): readonly TensorSignature[] {
		return this.runner.outputs;
	}

	/** Loads by path, so weights in an external-data file beside the model are found. */
	static async load(path: string, options: RuntimeOptions): Promise<OnnxSession> {
		try {
			await access(path);
		} catch {
			throw new ModelFileError(path, 'is missing');
		}
		let runner: SessionRunner;
		try {
			runner = inferenceThreadsEnabled() ? await ThreadedSession.load(path, options) : await LocalSession.load(path, options);
		} catch (error) {
			// A backend that cannot load at all says so in its own words (and hint); anything else is the file's fault.
			const cause = error instanceof InferenceLoadError ? error.cause : error;
			if (cause instanceof EngineError && (error instanceof InferenceLoadError ? error.fromBackend : true)) throw cause;
			throw new ModelFileError(path, `is not a loadable ONNX model (${errorMessage(cause).split('\n')[0]})`);
		}
		return new OnnxSession(path, runner);
	}

	run(feeds: Record<string, TensorData>, outputNames: readonly string[]): Promise<Record<string, TensorData>> {
		const result = this.tail.then(async () => {
			try {
				return await this.runner.run(feeds, outputNames);
			} catch (error) {
				throw new EngineError('INFERENCE', `${this.path}: inference failed (${errorMessage(error).split('\n')[0]})`);
			}
		});
		this.tail = result.catch(() => undefined);
		return result;
	}

	async release(): Promise<void> {
		await this.tail;
		await this.runner.release();
	}
}
