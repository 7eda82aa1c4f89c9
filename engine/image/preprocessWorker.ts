import { parentPort } from 'node:worker_threads';
import { preprocessImage } from './preprocessImage';
import type { PreprocessRequest, PreprocessReply } from './preprocessMessages';
import { serializeError } from '../threadErrors';

/**
 * A preprocessing thread: decodes and resizes one image per message and sends the model input
 * back (transferred, not copied). Runs the very same code as the in-thread path, so its output
 * is bit-identical.
 */
parentPort?.on('message', (request: PreprocessRequest) => {
	void (async () => {
		const input = Buffer.from(request.input.buffer, request.input.byteOffset, request.input.byteLength);
		const pixels = new Float32Array(3 * request.spec.size * request.spec.size);
		let reply: PreprocessReply;
		try {
			await preprocessImage(input, request.spec, request.options, pixels);
			reply = { id: request.id, pixels };
		} catch (error) {
			reply = { id: request.id, error: serializeError(error) };
		}
		parentPort?.postMessage(reply, 'pixels' in reply ? [reply.pixels.buffer as ArrayBuffer] : []);
	})();
});
