import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { selectBackend, type OnnxBackend } from './onnxBackend';
import { sessionOptions, type RuntimeOptions } from './runtimeOptions';
import type { SessionRunner } from './sessionRunner';
import type { TensorData } from './tensorData';
import { signatures, type TensorSignature } from './tensorSignature';

/** ONNX Runtime on the calling thread: each run blocks that thread until the graph has run. */
export class LocalSession implements SessionRunner {
	readonly inputs: readonly TensorSignature[];
	readonly outputs: readonly TensorSignature[];

	private constructor(
		private readonly ort: OnnxBackend,
		private readonly session: InferenceSession,
	) {
		this.inputs = signatures(session.inputMetadata);
		this.outputs = signatures(session.outputMetadata);
	}

	get backend(): 'native' | 'wasm' {
		return this.ort.name;
	}

	/**
	 * Loads by path, so weights in an external-data file beside the model are found. A backend that
	 * cannot load throws its EngineError; a file ONNX Runtime refuses throws the runtime's error.
	 */
	static async load(path: string, options: RuntimeOptions, warn?: (message: string) => void): Promise<LocalSession> {
		const backend = selectBackend(options.backend ?? 'auto', options.intraOpThreads, warn);
		const session = await backend.ort.InferenceSession.create(path, sessionOptions(options, backend));
		return new LocalSession(backend, session);
	}

	async run(feeds: Record<string, TensorData>, outputNames: readonly string[]): Promise<Record<string, TensorData>> {
		const { Tensor: TensorClass } = this.ort.ort;
		const tensors: Record<string, Tensor> = {};
		// onnxruntime-node and -web each accept only their own Tensor class.
		for (const [name, { type, data, dims }] of Object.entries(feeds)) tensors[name] = new TensorClass(type as 'float32', data as Float32Array, dims) as Tensor;
		return (await this.session.run(tensors, outputNames)) as Record<string, Tensor>;
	}

	release(): Promise<void> {
		return this.session.release();
	}
}
