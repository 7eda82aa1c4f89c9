import type { Tensor } from 'onnxruntime-node';
import { EngineError } from '../errors';
import { fromFloat16Array, toFloat16Array } from './float16';
import type { OnnxSession } from './onnxSession';

/** A float32 input as the graph wants it (float32, or float16 for half-precision exports). */
export function floatTensor(session: OnnxSession, type: Tensor.Type, data: Float32Array, dims: readonly number[]): Tensor {
	if (type === 'float16') return session.tensor('float16', toFloat16Array(data), dims);
	if (type === 'float32') return session.tensor('float32', data, dims);
	throw new EngineError('INFERENCE', `unsupported image input type ${type}`);
}

/** Integer token rows, padded, as int64 or int32 as the graph declares. */
export function integerTensor(session: OnnxSession, type: Tensor.Type, rows: readonly (readonly number[])[], length: number, pad: number): Tensor {
	const total = rows.length * length;
	if (type === 'int64') {
		const data = new BigInt64Array(total).fill(BigInt(pad));
		rows.forEach((row, r) => row.forEach((id, i) => (data[r * length + i] = BigInt(id))));
		return session.tensor('int64', data, [rows.length, length]);
	}
	if (type === 'int32') {
		const data = new Int32Array(total).fill(pad);
		rows.forEach((row, r) => data.set(row, r * length));
		return session.tensor('int32', data, [rows.length, length]);
	}
	throw new EngineError('INFERENCE', `unsupported token input type ${type}`);
}

/** Splits a [batch, dim] float output into normalized-ready float32 rows (copies). */
export function floatRows(tensor: Tensor, count: number): Float32Array[] {
	const raw = tensor.data;
	const data = tensor.type === 'float16' ? fromFloat16Array(raw as Uint16Array) : (raw as Float32Array);
	if (tensor.type !== 'float16' && tensor.type !== 'float32') throw new EngineError('INFERENCE', `unsupported embedding type ${tensor.type}`);
	const dim = data.length / count;
	const rows: Float32Array[] = [];
	for (let i = 0; i < count; i++) rows.push(Float32Array.from(data.subarray(i * dim, (i + 1) * dim)));
	return rows;
}
