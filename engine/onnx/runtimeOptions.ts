import type { InferenceSession } from 'onnxruntime-node';
import type { BackendChoice, OnnxBackend } from './onnxBackend';

/** How ONNX Runtime sessions are created; documented in the README's performance section. */
export interface RuntimeOptions {
	/**
	 * Threads one inference may use. 0 lets ONNX Runtime pick (one per physical core), which is
	 * right for a box that runs one classification at a time; lower it to share cores with n8n.
	 */
	readonly intraOpThreads: number;
	/** `auto` (native, else WebAssembly), `native` or `wasm`. */
	readonly backend?: BackendChoice;
}

export const DEFAULT_RUNTIME_OPTIONS: RuntimeOptions = { intraOpThreads: 0, backend: 'auto' };

export function sessionOptions(options: RuntimeOptions, backend: OnnxBackend): InferenceSession.SessionOptions {
	if (backend.name === 'wasm') {
		// The WASM build takes its thread count from env.wasm.numThreads, not from session options.
		return { graphOptimizationLevel: 'all', executionMode: 'sequential', executionProviders: ['wasm'] };
	}
	const base: InferenceSession.SessionOptions = {
		// Full graph optimisation fuses attention, GELU and layer-norm patterns: measurably faster
		// on CLIP, at a one-off cost when the session is created.
		graphOptimizationLevel: 'all',
		// Sequential: CLIP graphs are chains; parallel execution only adds scheduling overhead.
		executionMode: 'sequential',
		interOpNumThreads: 1,
		// The arena keeps activation buffers between runs of the same batch shape instead of reallocating.
		enableCpuMemArena: true,
		enableMemPattern: true,
		executionProviders: ['cpu'],
		// Idle intra-op threads sleep instead of spinning between parallel sections. Spinning only
		// pays on cores nothing else wants; here the image preprocessing threads decode the next
		// batch during inference (and n8n runs beside it), and spinning threads take their CPU.
		extra: { session: { intra_op: { allow_spinning: '0' } } },
	};
	// onnxruntime-node rejects an explicit undefined: leave the key out to let it choose.
	return options.intraOpThreads > 0 ? { ...base, intraOpNumThreads: options.intraOpThreads } : base;
}
