import type { Tensor } from 'onnxruntime-node';
import { EngineError } from '../errors';
import { fromFloat16Array, toFloat16Array } from './float16';

/**
 * A tensor as the engine hands it to a session and gets it back: plain typed data, so it can cross
 * to the inference thread; the session turns it into its backend's Tensor.
 */
export interface TensorData {
	readonly type: Tensor.Type;
	readonly data: Tensor.DataType;
	readonly dims: readonly number[];
}

/** A float32 input as the graph wants it (float32, or float16 for half-precision exports). */
export function floatTensor(type: Tensor.Type, data: Float32Array, dims: readonly number[]): TensorData {
	if (type === 'float16') return { type: 'float16', data: toFloat16Array(data), dims };
	if (type === 'float32') return { type: 'float32', data, dims };
	throw new EngineError('INFERENCE', `unsupported image input type ${type}`);
}

/** Integer token rows, padded, as int64 or int32 as the graph declares. */
export function integerTensor(type: Tensor.Type, rows: readonly (readonly number[])[], length: number, pad: number): TensorData {
	const total = rows.length * length;
	if (type === 'int64') {
		const data = new BigInt64Array(total).fill(BigInt(pad));
		rows.forEach((row, r) => row.forEach((id, i) => (data[r * length + i] = BigInt(id))));
		return { type: 'int64', data, dims: [rows.length, length] };
	}
	if (type === 'int32') {
		const data = new Int32Array(total).fill(pad);
		rows.forEach((row, r) => data.set(row, r * length));
		return { type: 'int32', data, dims: [rows.length, length] };
	}
	throw new EngineError('INFERENCE', `unsupported token input type ${type}`);
}

/** Splits a [batch, dim] float output into normalized-ready float32 rows (copies). */
export function floatRows(tensor: TensorData, count: number): Float32Array[] {
	const raw = tensor.data;
	const data = tensor.type === 'float16' ? fromFloat16Array(raw as Uint16Array) : (raw as Float32Array);
	if (tensor.type !== 'float16' && tensor.type !== 'float32') throw new EngineError('INFERENCE', `unsupported embedding type ${tensor.type}`);
	const dim = data.length / count;
	const rows: Float32Array[] = [];
	for (let i = 0; i < count; i++) rows.push(Float32Array.from(data.subarray(i * dim, (i + 1) * dim)));
	return rows;
}
