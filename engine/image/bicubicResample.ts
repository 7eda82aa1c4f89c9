/**
 * Antialiased bicubic resampling of interleaved 8-bit images, reproducing Pillow's
 * `Image.resize(size, Image.BICUBIC)` (Resample.c) bit for bit: the same kernel (a = -0.5),
 * the same support widening when reducing, the same 22-bit fixed-point coefficients, and the
 * same two passes (horizontal first, rounded and clamped to 8 bits in between).
 *
 * Reference CLIP pipelines (transformers' CLIPImageProcessor, open_clip's torchvision
 * transforms on PIL images) resize with exactly this code, and CLIP's probabilities move
 * visibly with a one-grey-level change, so matching it matters more than elegance.
 *
 * Only a window of the resized image is computed (the centre crop), which keeps extreme
 * aspect ratios cheap: 10,000 x 10 px is never materialised at 224,000 x 224.
 */

import type { ResizeGeometry } from './resizeGeometry';
import { resizeRgbSimd } from './simdBicubicPasses';

const PRECISION_BITS = 32 - 8 - 2;
/** Rounding term every accumulator starts from (Pillow's `1 << (PRECISION_BITS - 1)`). */
const HALF = 1 << (PRECISION_BITS - 1);
const BICUBIC_SUPPORT = 2.0;

function bicubicKernel(x: number): number {
	const a = -0.5;
	const t = x < 0 ? -x : x;
	if (t < 1.0) return ((a + 2.0) * t - (a + 3.0)) * t * t + 1;
	if (t < 2.0) return (((t - 5) * t + 8) * t - 4) * a;
	return 0.0;
}

/** Per-output-sample source ranges and fixed-point weights along one axis. */
export interface ResampleAxis {
	/** First source index used by each output sample. */
	readonly start: Int32Array;
	/** Number of source samples used by each output sample. */
	readonly count: Int32Array;
	/** Weights, `taps` per output sample, in 22-bit fixed point. */
	readonly weights: Int32Array;
	readonly taps: number;
}

/**
 * Weights for output samples `[first, first + length)` of a resize from `inSize` to `outSize`.
 * Mirrors Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc`.
 *
 * `inExtent` is the length the source stands for, in its own samples, when that differs from
 * `inSize`: a JPEG decoded at 1/4 scale has `ceil(w / 4)` columns for `w / 4` columns' worth of
 * picture, and mapping by the latter keeps the geometry of the full-size resize.
 */
export function resampleAxis(inSize: number, outSize: number, first: number, length: number, inExtent = inSize): ResampleAxis {
	const scale = inExtent / outSize;
	const filterScale = Math.max(scale, 1.0);
	const support = BICUBIC_SUPPORT * filterScale;
	const taps = Math.ceil(support) * 2 + 1;
	const start = new Int32Array(length);
	const count = new Int32Array(length);
	const weights = new Int32Array(length * taps);
	const raw = new Float64Array(taps);
	for (let i = 0; i < length; i++) {
		const center = (first + i + 0.5) * scale;
		// Pillow truncates toward zero with a C cast; `Math.trunc` keeps that for negative values.
		const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
		const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
		let total = 0;
		for (let x = 0; x < xmax; x++) {
			const w = bicubicKernel((x + xmin - center + 0.5) / filterScale);
			raw[x] = w;
			total += w;
		}
		for (let x = 0; x < xmax; x++) {
			const k = total !== 0 ? raw[x] / total : raw[x];
			weights[i * taps + x] = k < 0 ? Math.trunc(-0.5 + k * (1 << PRECISION_BITS)) : Math.trunc(0.5 + k * (1 << PRECISION_BITS));
		}
		start[i] = xmin;
		count[i] = xmax;
	}
	return { start, count, weights, taps };
}

function clip8(accumulator: number): number {
	const v = accumulator >> PRECISION_BITS;
	return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** An interleaved 8-bit image (`channels` samples per pixel, rows packed). */
export interface RawImage {
	readonly data: Uint8Array;
	readonly width: number;
	readonly height: number;
	readonly channels: number;
}

/** Which part of the resized image to produce: the resized size and the window (crop) within it. */
export type ResizeWindow = ResizeGeometry;

/** The picture's size in the source's samples, when it is not the sample count (see `resampleAxis`). */
export interface SourceExtent {
	readonly width: number;
	readonly height: number;
}

/** `auto`: the WebAssembly SIMD passes for RGB where this runtime has them; `javascript`: these passes. */
export type ResamplePasses = 'auto' | 'javascript';

/**
 * Resizes `image` to `resizedWidth x resizedHeight` and returns only `window` of the result,
 * as interleaved 8-bit samples with the input's channel count.
 */
export function resizeBicubicWindow(image: RawImage, window: ResizeWindow, extent?: SourceExtent, passes: ResamplePasses = 'auto'): Uint8Array {
	const { data, width: inW, height: inH, channels } = image;
	const extentW = extent?.width ?? inW;
	const extentH = extent?.height ?? inH;
	const needHorizontal = window.resizedWidth !== extentW;
	const needVertical = window.resizedHeight !== extentH;
	const horizontal = resampleAxis(inW, window.resizedWidth, window.left, window.width, extentW);
	const vertical = resampleAxis(inH, window.resizedHeight, window.top, window.height, extentH);

	// Source rows that the vertical pass reads (or, without one, the rows of the window).
	const rowFirst = needVertical ? vertical.start[0] : window.top;
	const rowLast = needVertical ? vertical.start[window.height - 1] + vertical.count[window.height - 1] : window.top + window.height;
	const rows = rowLast - rowFirst;

	const outW = window.width;
	if (passes === 'auto' && channels === 3 && needHorizontal) {
		const simd = resizeRgbSimd(data, inW, rowFirst, rows, horizontal, needVertical ? vertical : undefined, outW, window.height);
		if (simd) return simd;
	}

	// Horizontal pass over the rows needed, rounded to 8 bits like Pillow's intermediate image.
	let temp: Uint8Array;
	if (needHorizontal) {
		temp = new Uint8Array(rows * outW * channels);
		if (channels === 3) horizontalPassRgb(data, inW, rowFirst, rows, horizontal, temp, outW);
		else horizontalPass(data, inW, channels, rowFirst, rows, horizontal, temp, outW);
	} else {
		temp = new Uint8Array(rows * outW * channels);
		for (let y = 0; y < rows; y++) {
			const src = ((y + rowFirst) * inW + window.left) * channels;
			temp.set(data.subarray(src, src + outW * channels), y * outW * channels);
		}
	}
	if (!needVertical) return temp;

	const out = new Uint8Array(window.height * outW * channels);
	const { start, count, weights, taps } = vertical;
	const rowStride = outW * channels;
	// One accumulator per sample of the output row, fed source row by source row: the inner loop
	// walks contiguous memory instead of striding a row apart per tap.
	const acc = new Int32Array(rowStride);
	for (let y = 0; y < window.height; y++) {
		const kOff = y * taps;
		const n = count[y];
		const firstRow = (start[y] - rowFirst) * rowStride;
		acc.fill(HALF);
		for (let k = 0; k < n; k++) {
			const w = weights[kOff + k];
			const src = firstRow + k * rowStride;
			// |0 keeps the sums int32, as in Pillow's C (they fit: |weights| sum to about 1.2 x 2^22, samples < 2^8).
			for (let i = 0; i < rowStride; i++) acc[i] = (acc[i] + temp[src + i] * w) | 0;
		}
		const dstRow = y * rowStride;
		for (let i = 0; i < rowStride; i++) out[dstRow + i] = clip8(acc[i]);
	}
	return out;
}

/**
 * The horizontal pass for interleaved RGB, the only layout the engine decodes to: the three
 * channels share each weight and are read in one sweep of the source, which is about twice as
 * fast as a pass per channel. This is where exact preprocessing spends its time (every source
 * row of a 12 MP photo goes through it).
 */
function horizontalPassRgb(data: Uint8Array, inW: number, rowFirst: number, rows: number, axis: ResampleAxis, temp: Uint8Array, outW: number): void {
	const { start, count, weights, taps } = axis;
	for (let y = 0; y < rows; y++) {
		const srcRow = (y + rowFirst) * inW * 3;
		let d = y * outW * 3;
		for (let x = 0; x < outW; x++) {
			const kOff = x * taps;
			const n = count[x];
			let s = srcRow + start[x] * 3;
			let r = HALF;
			let g = HALF;
			let b = HALF;
			for (let k = 0; k < n; k++, s += 3) {
				const w = weights[kOff + k];
				r = (r + data[s] * w) | 0;
				g = (g + data[s + 1] * w) | 0;
				b = (b + data[s + 2] * w) | 0;
			}
			temp[d++] = clip8(r);
			temp[d++] = clip8(g);
			temp[d++] = clip8(b);
		}
	}
}

/** The horizontal pass for any channel count. */
function horizontalPass(data: Uint8Array, inW: number, channels: number, rowFirst: number, rows: number, axis: ResampleAxis, temp: Uint8Array, outW: number): void {
	const { start, count, weights, taps } = axis;
	for (let y = 0; y < rows; y++) {
		const srcRow = (y + rowFirst) * inW * channels;
		const dstRow = y * outW * channels;
		for (let x = 0; x < outW; x++) {
			const kOff = x * taps;
			const n = count[x];
			const s0 = srcRow + start[x] * channels;
			for (let c = 0; c < channels; c++) {
				let acc = HALF;
				for (let k = 0; k < n; k++) acc = (acc + data[s0 + k * channels + c] * weights[kOff + k]) | 0;
				temp[dstRow + x * channels + c] = clip8(acc);
			}
		}
	}
}
