// onnxruntime-node's native binding creates output tensors with the typed-array classes of the
// main Node realm, while jest runs each test file in its own realm, so `instanceof Float32Array`
// checks inside onnxruntime-common fail there. Sharing the outer realm's typed arrays fixes that
// (n8n and the CLI run in a single realm and never see this).
const { TestEnvironment } = require('jest-environment-node');

const TYPED_ARRAYS = [
	'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Buffer', 'Uint8Array', 'Uint8ClampedArray', 'Int8Array', 'Uint16Array',
	'Int16Array', 'Uint32Array', 'Int32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
];

class SharedTypedArrayEnvironment extends TestEnvironment {
	constructor(config, context) {
		super(config, context);
		for (const name of TYPED_ARRAYS) if (globalThis[name]) this.global[name] = globalThis[name];
	}
}

module.exports = SharedTypedArrayEnvironment;
