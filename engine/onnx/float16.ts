// Node 20 has no Float16Array, and onnxruntime takes float16 tensors as raw Uint16Array bits.

const floatView = new Float32Array(1);
const intView = new Uint32Array(floatView.buffer);

/** IEEE 754 binary32 → binary16 bits, round to nearest even. */
export function float32ToFloat16Bits(value: number): number {
	floatView[0] = value;
	const x = intView[0];
	const sign = (x >>> 16) & 0x8000;
	const exponent = (x >>> 23) & 0xff;
	let mantissa = x & 0x7fffff;
	if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
	const e = exponent - 127 + 15;
	if (e >= 0x1f) return sign | 0x7c00;
	if (e <= 0) {
		if (e < -10) return sign;
		mantissa |= 0x800000;
		const shift = 14 - e;
		const half = 1 << (shift - 1);
		const rounded = mantissa + half - 1 + ((mantissa >>> shift) & 1);
		return sign | (rounded >>> shift);
	}
	const rounded = mantissa + 0xfff + ((mantissa >>> 13) & 1);
	if (rounded & 0x800000) return e + 1 >= 0x1f ? sign | 0x7c00 : sign | ((e + 1) << 10);
	return sign | (e << 10) | (rounded >>> 13);
}

export function float16BitsToFloat32(bits: number): number {
	const sign = bits & 0x8000 ? -1 : 1;
	const exponent = (bits >>> 10) & 0x1f;
	const mantissa = bits & 0x3ff;
	if (exponent === 0) return sign * mantissa * 2 ** -24;
	if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
	return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

export function toFloat16Array(values: Float32Array): Uint16Array {
	const out = new Uint16Array(values.length);
	for (let i = 0; i < values.length; i++) out[i] = float32ToFloat16Bits(values[i]);
	return out;
}

export function fromFloat16Array(bits: Uint16Array): Float32Array {
	const out = new Float32Array(bits.length);
	for (let i = 0; i < bits.length; i++) out[i] = float16BitsToFloat32(bits[i]);
	return out;
}
