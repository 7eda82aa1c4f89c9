import type * as Ort from 'onnxruntime-node';
import { availableParallelism } from 'node:os';
import { EngineError, errorMessage } from '../errors';

/** The part of the ONNX Runtime JavaScript API the engine uses; onnxruntime-node and onnxruntime-web share it. */
export type OrtModule = Pick<typeof Ort, 'InferenceSession' | 'Tensor'>;

export type BackendChoice = 'auto' | 'native' | 'wasm';

export interface OnnxBackend {
	readonly name: 'native' | 'wasm';
	readonly ort: OrtModule;
}

/** How the modules are loaded; replaceable so tests can make the native load fail. */
export interface BackendLoaders {
	native(): OrtModule;
	wasm(): OrtModule & { env: { wasm: { numThreads?: number; proxy?: boolean } } };
}

const defaultLoaders: BackendLoaders = {
	// Loaded on first use rather than at import, so a platform where the native binary cannot
	// load (musl/Alpine, the official n8n Docker image) still loads the node and falls back.
	native: () => {
		// onnxruntime-node's Linux build records usage telemetry for Microsoft (a device id, the
		// process path, model file names, timings) in ~/.cache/Microsoft/DeveloperTools/.onnxruntime
		// queued for upload. A node inside n8n must not phone home: off unless the user set the variable.
		// Read when ONNX Runtime creates its environment (the first session), so setting it here is in time.
		process.env.ORT_DISABLE_TELEMETRY ??= '1';
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		return require('onnxruntime-node') as OrtModule;
	},
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	wasm: () => require('onnxruntime-web') as ReturnType<BackendLoaders['wasm']>,
};

let loaders: BackendLoaders = defaultLoaders;
const loaded = new Map<'native' | 'wasm', OnnxBackend>();
let nativeFailure: string | undefined;
let warnedFallback = false;

/** For tests: substitute the module loaders (undefined restores the real ones). */
export function setBackendLoaders(replacement: BackendLoaders | undefined): void {
	loaders = replacement ?? defaultLoaders;
	loaded.clear();
	nativeFailure = undefined;
	warnedFallback = false;
}

function loadNative(): OnnxBackend {
	const cached = loaded.get('native');
	if (cached) return cached;
	if (nativeFailure !== undefined) throw nativeError(nativeFailure);
	try {
		const backend: OnnxBackend = { name: 'native', ort: loaders.native() };
		loaded.set('native', backend);
		return backend;
	} catch (error) {
		nativeFailure = errorMessage(error).split('\n')[0];
		throw nativeError(nativeFailure);
	}
}

function nativeError(reason: string): EngineError {
	return new EngineError(
		'INFERENCE',
		`onnxruntime-node could not be loaded on this platform (${reason})`,
		'Set the backend to "auto" or "wasm" to run on WebAssembly (e.g. on Alpine/musl, as in the official n8n Docker image), or use a Debian-based image for native speed.',
	);
}

/** WebAssembly threads: one per core up to 4 (beyond that the WASM build scales poorly). */
export function defaultWasmThreads(): number {
	return Math.max(1, Math.min(4, availableParallelism()));
}

function loadWasm(threads: number): OnnxBackend {
	const cached = loaded.get('wasm');
	if (cached) return cached;
	let module: ReturnType<BackendLoaders['wasm']>;
	try {
		module = loaders.wasm();
	} catch (error) {
		throw new EngineError('INFERENCE', `onnxruntime-web could not be loaded (${errorMessage(error).split('\n')[0]})`);
	}
	// Thread count is fixed when the WASM runtime first initialises, so it is set once, here.
	module.env.wasm.numThreads = threads > 0 ? threads : defaultWasmThreads();
	module.env.wasm.proxy = false;
	const backend: OnnxBackend = { name: 'wasm', ort: module };
	loaded.set('wasm', backend);
	return backend;
}

/**
 * The backend for a choice: `native` (onnxruntime-node), `wasm` (onnxruntime-web), or `auto`:
 * native when it loads, else WASM with one warning per process.
 */
export function selectBackend(choice: BackendChoice, wasmThreads: number, warn: (message: string) => void = (m) => process.emitWarning(m)): OnnxBackend {
	if (choice === 'native') return loadNative();
	if (choice === 'wasm') return loadWasm(wasmThreads);
	try {
		return loadNative();
	} catch (error) {
		if (!warnedFallback) {
			warnedFallback = true;
			warn(`${errorMessage(error)}; falling back to the WebAssembly backend (onnxruntime-web), which is slower. A glibc-based system (e.g. a Debian-based n8n image) runs natively.`);
		}
		return loadWasm(wasmThreads);
	}
}
