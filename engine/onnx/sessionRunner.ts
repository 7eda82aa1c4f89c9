import type { TensorData } from './tensorData';
import type { TensorSignature } from './tensorSignature';

/** What runs one loaded model file: ONNX Runtime on this thread, or on an inference thread. */
export interface SessionRunner {
	readonly backend: 'native' | 'wasm';
	readonly inputs: readonly TensorSignature[];
	readonly outputs: readonly TensorSignature[];
	/** Rejects with the runtime's own error; the caller words it. */
	run(feeds: Record<string, TensorData>, outputNames: readonly string[]): Promise<Record<string, TensorData>>;
	release(): Promise<void>;
}
