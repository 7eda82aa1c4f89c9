import type { SerializedError } from '../threadErrors';
import type { RuntimeOptions } from './runtimeOptions';
import type { TensorData } from './tensorData';
import type { TensorSignature } from './tensorSignature';

/** What an inference thread is started with: one model file. */
export interface InferenceThreadData {
	readonly path: string;
	readonly runtime: RuntimeOptions;
	/** Nice value for the thread (and the ONNX Runtime threads it creates); 0 leaves it as it is. */
	readonly nice: number;
}

/** main → inference thread. */
export type InferenceRequest =
	| { readonly kind: 'run'; readonly id: number; readonly feeds: Record<string, TensorData>; readonly outputNames: readonly string[] }
	| { readonly kind: 'release' };

/** inference thread → main. */
export type InferenceReply =
	| {
			readonly kind: 'ready';
			readonly backend: 'native' | 'wasm';
			readonly inputs: readonly TensorSignature[];
			readonly outputs: readonly TensorSignature[];
			/** The native backend could not load and WebAssembly runs instead: said once per process by the main thread. */
			readonly fallbackWarning?: string;
	  }
	| { readonly kind: 'loadFailed'; readonly error: SerializedError; readonly fromBackend: boolean }
	| { readonly kind: 'result'; readonly id: number; readonly outputs: Record<string, TensorData> }
	| { readonly kind: 'runFailed'; readonly id: number; readonly error: SerializedError }
	| { readonly kind: 'released' };
