// The two passes of the Pillow-exact bicubic resize (engine/image/bicubicResample.ts) in
// WebAssembly SIMD. Same integer arithmetic as the JavaScript passes: int32 accumulators that
// start at 2^21 and wrap like C's, 22-bit fixed-point weights, an arithmetic shift by 22 and a
// clamp to 0..255 (the saturating narrows below are exactly that clamp). The weights come from
// the JavaScript side, so both implementations share one definition of the kernel.
//
// Memory is laid out by the caller (every pointer is a byte offset it chose); nothing here
// allocates. Built by `npm run build:wasm`; the test suite checks the build reproduces the
// committed engine/image/bicubicPasses.wasm and that its output equals the JavaScript passes'.

const PRECISION_BITS: i32 = 22;
const HALF: i32 = 1 << (PRECISION_BITS - 1);

/** First byte the caller may use. */
export function heapBase(): usize {
	return __heap_base;
}

/**
 * Horizontal pass over `rows` rows of interleaved RGB, `inWidth` pixels each, at `src`: `outWidth`
 * pixels per row written to `dst`. Output pixel x reads `count[x]` pixels from `start[x]` with
 * `taps` int32 weights per pixel at `weights + 4 * taps * x`. Reads one byte past a row's last
 * pixel (the caller leaves it readable).
 */
export function horizontalRgb(src: usize, inWidth: i32, rows: i32, start: usize, count: usize, weights: usize, taps: i32, dst: usize, outWidth: i32): void {
	const half = i32x4.splat(HALF);
	const rowBytes = <usize>(inWidth * 3);
	for (let y: i32 = 0; y < rows; y++) {
		const srcRow = src + <usize>y * rowBytes;
		let d = dst + <usize>(y * outWidth * 3);
		for (let x: i32 = 0; x < outWidth; x++) {
			const n = load<i32>(count + (<usize>x << 2));
			let s = srcRow + <usize>(load<i32>(start + (<usize>x << 2)) * 3);
			let w = weights + (<usize>(x * taps) << 2);
			let acc = half;
			let k: i32 = 0;
			// Two source pixels per step: bytes r0 g0 b0 r1 g1 b1 widened, each trio times its weight.
			for (; k + 1 < n; k += 2) {
				const bytes = i16x8.extend_low_i8x16_u(v128.load64_zero(s));
				const first = i32x4.extend_low_i16x8_u(bytes);
				const second = i32x4.extend_low_i16x8_u(i8x16.shuffle(bytes, bytes, 6, 7, 8, 9, 10, 11, 12, 13, 0, 0, 0, 0, 0, 0, 0, 0));
				acc = i32x4.add(acc, i32x4.add(i32x4.mul(first, i32x4.splat(load<i32>(w))), i32x4.mul(second, i32x4.splat(load<i32>(w, 4)))));
				s += 6;
				w += 8;
			}
			if (k < n) {
				const pixel = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(s)));
				acc = i32x4.add(acc, i32x4.mul(pixel, i32x4.splat(load<i32>(w))));
			}
			const shifted = i32x4.shr_s(acc, PRECISION_BITS);
			const narrowed = i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(shifted, shifted), i16x8.narrow_i32x4_s(shifted, shifted));
			store<u8>(d, i8x16.extract_lane_u(narrowed, 0));
			store<u8>(d, i8x16.extract_lane_u(narrowed, 1), 1);
			store<u8>(d, i8x16.extract_lane_u(narrowed, 2), 2);
			d += 3;
		}
	}
}

/**
 * Vertical pass: output row y of `rowBytes` samples is the weighted sum of `count[y]` rows of
 * `src` from row `start[y]` (rows relative to `src`), `taps` weights per row at `weights`.
 */
export function vertical(src: usize, rowBytes: i32, outRows: i32, start: usize, count: usize, weights: usize, taps: i32, dst: usize): void {
	const half = i32x4.splat(HALF);
	const stride = <usize>rowBytes;
	const vectorEnd = rowBytes & ~15;
	for (let y: i32 = 0; y < outRows; y++) {
		const n = load<i32>(count + (<usize>y << 2));
		const first = src + <usize>load<i32>(start + (<usize>y << 2)) * stride;
		const w0 = weights + (<usize>(y * taps) << 2);
		const dstRow = dst + <usize>y * stride;
		let i: i32 = 0;
		for (; i < vectorEnd; i += 16) {
			let a0 = half;
			let a1 = half;
			let a2 = half;
			let a3 = half;
			let p = first + <usize>i;
			for (let k: i32 = 0; k < n; k++) {
				const weight = i32x4.splat(load<i32>(w0 + (<usize>k << 2)));
				const bytes = v128.load(p);
				const low = i16x8.extend_low_i8x16_u(bytes);
				const high = i16x8.extend_high_i8x16_u(bytes);
				a0 = i32x4.add(a0, i32x4.mul(i32x4.extend_low_i16x8_u(low), weight));
				a1 = i32x4.add(a1, i32x4.mul(i32x4.extend_high_i16x8_u(low), weight));
				a2 = i32x4.add(a2, i32x4.mul(i32x4.extend_low_i16x8_u(high), weight));
				a3 = i32x4.add(a3, i32x4.mul(i32x4.extend_high_i16x8_u(high), weight));
				p += stride;
			}
			const lowHalf = i16x8.narrow_i32x4_s(i32x4.shr_s(a0, PRECISION_BITS), i32x4.shr_s(a1, PRECISION_BITS));
			const highHalf = i16x8.narrow_i32x4_s(i32x4.shr_s(a2, PRECISION_BITS), i32x4.shr_s(a3, PRECISION_BITS));
			v128.store(dstRow + <usize>i, i8x16.narrow_i16x8_u(lowHalf, highHalf));
		}
		for (; i < rowBytes; i++) {
			let acc = HALF;
			let p = first + <usize>i;
			for (let k: i32 = 0; k < n; k++) {
				acc += <i32>load<u8>(p) * load<i32>(w0 + (<usize>k << 2));
				p += stride;
			}
			const v = acc >> PRECISION_BITS;
			store<u8>(dstRow + <usize>i, <u8>(v < 0 ? 0 : v > 255 ? 255 : v));
		}
	}
}
