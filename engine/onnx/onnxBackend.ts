import type * as Ort from 'onnxruntime-node';
import { EngineError, errorMessage } from '../errors';

/** The ONNX Runtime API the engine uses: the native binding's, or (later) a WASM build with the same API. */
export type OrtModule = Pick<typeof Ort, 'InferenceSession' | 'Tensor'>;

let native: OrtModule | undefined;

/**
 * Loads `onnxruntime-node` on first use rather than at import, so that a platform where the
 * native binary cannot load (e.g. musl/Alpine) gets a clear error at classification time
 * instead of n8n failing to load the node at all.
 */
export function onnxRuntime(): OrtModule {
	if (native) return native;
	try {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		native = require('onnxruntime-node') as OrtModule;
	} catch (error) {
		throw new EngineError(
			'INFERENCE',
			`onnxruntime-node could not be loaded on this platform (${errorMessage(error).split('\n')[0]})`,
			'onnxruntime-node ships glibc binaries for Linux x64/arm64, macOS and Windows.',
		);
	}
	return native;
}
