import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { EngineError } from '../errors';
import { serializeError } from '../threadErrors';
import type { InferenceReply, InferenceRequest, InferenceThreadData } from './inferenceMessages';
import { LocalSession } from './localSession';
import type { TensorData } from './tensorData';

/**
 * An inference thread: one model file in ONNX Runtime, run on request. The graph runs here, so the
 * thread that asked (n8n's event loop) keeps serving requests meanwhile. Same code as the in-thread
 * path (LocalSession), so the same numbers.
 */
const data = workerData as InferenceThreadData;
const post = (reply: InferenceReply): void => parentPort?.postMessage(reply);

if (data.nice > 0 && process.platform === 'linux') {
	// On Linux the nice value is per thread and inherited by threads created afterwards: ONNX
	// Runtime's thread pool, made with the session below, yields the cores to n8n's own thread.
	// (Elsewhere pid 0 would mean the whole process, so nothing is changed there.) Never below the
	// thread's inherited nice: an n8n already started at nice 15 must not get inference threads that
	// outrank its event loop.
	try {
		setPriority(0, Math.max(getPriority(0), data.nice));
	} catch {
		// A sandbox that forbids it: the model still runs, at normal priority.
	}
}

void (async () => {
	let fallbackWarning: string | undefined;
	let session: LocalSession;
	try {
		session = await LocalSession.load(data.path, data.runtime, (message) => (fallbackWarning = message));
	} catch (error) {
		post({ kind: 'loadFailed', error: serializeError(error), fromBackend: error instanceof EngineError });
		return;
	}
	post({ kind: 'ready', backend: session.backend, inputs: session.inputs, outputs: session.outputs, fallbackWarning });
	parentPort?.on('message', (request: InferenceRequest) => {
		if (request.kind === 'release') {
			void session.release().finally(() => post({ kind: 'released' }));
			return;
		}
		void session.run(request.feeds, request.outputNames).then(
			(outputs) => {
				const plain: Record<string, TensorData> = {};
				for (const [name, { type, data: values, dims }] of Object.entries(outputs)) plain[name] = { type, data: values, dims: [...dims] };
				post({ kind: 'result', id: request.id, outputs: plain });
			},
			(error: unknown) => post({ kind: 'runFailed', id: request.id, error: serializeError(error) }),
		);
	});
})();
