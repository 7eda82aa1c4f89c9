import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { access } from 'node:fs/promises';
import { EngineError, ModelFileError, errorMessage } from '../errors';
import { selectBackend, type OnnxBackend } from './onnxBackend';
import { sessionOptions, type RuntimeOptions } from './runtimeOptions';
import { signatures, type TensorSignature } from './tensorSignature';

/**
 * One ONNX model file loaded into ONNX Runtime. Runs are queued: on a small box, two
 * concurrent runs on the same cores are slower than the same runs one after the other, and
 * the queue keeps memory to one run's activations.
 */
export class OnnxSession {
	private tail: Promise<unknown> = Promise.resolve();

	private constructor(
		readonly path: string,
		readonly backend: OnnxBackend,
		private readonly session: InferenceSession,
		readonly inputs: readonly TensorSignature[],
		readonly outputs: readonly TensorSignature[],
	) {}

	/** Loads by path, so weights in an external-data file beside the model are found. */
	static async load(path: string, options: RuntimeOptions): Promise<OnnxSession> {
		try {
			await access(path);
		} catch {
			throw new ModelFileError(path, 'is missing');
		}
		const backend = selectBackend(options.backend ?? 'auto', options.intraOpThreads);
		let session: InferenceSession;
		try {
			session = await backend.ort.InferenceSession.create(path, sessionOptions(options, backend));
		} catch (error) {
			throw new ModelFileError(path, `is not a loadable ONNX model (${errorMessage(error).split('\n')[0]})`);
		}
		return new OnnxSession(path, backend, session, signatures(session.inputMetadata), signatures(session.outputMetadata));
	}

	run(feeds: Record<string, Tensor>, outputNames: readonly string[]): Promise<Record<string, Tensor>> {
		const result = this.tail.then(async () => {
			try {
				return (await this.session.run(feeds, outputNames)) as Record<string, Tensor>;
			} catch (error) {
				throw new EngineError('INFERENCE', `${this.path}: inference failed (${errorMessage(error).split('\n')[0]})`);
			}
		});
		this.tail = result.catch(() => undefined);
		return result;
	}

	async release(): Promise<void> {
		await this.tail;
		await this.session.release();
	}


	/** A tensor of this session's backend (onnxruntime-node and -web each check their own class). */
	tensor(type: Tensor.Type, data: Tensor.DataType, dims: readonly number[]): Tensor {
		const { Tensor: TensorClass } = this.backend.ort;
		return new TensorClass(type as 'float32', data as Float32Array, dims) as Tensor;
	}
}
