import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResampleAxis } from './bicubicResample';

/**
 * The bicubic resize's two passes for interleaved RGB in WebAssembly SIMD
 * (assembly/bicubicPasses.ts, built by `npm run build:wasm`). They compute what the JavaScript
 * passes compute, bit for bit, about three times faster: the three channels of a pixel share one
 * 128-bit multiply-add, and the vertical pass handles 16 samples per step.
 *
 * Each thread instantiates its own module. The source goes into its memory a band of rows at a
 * time, so the memory stays near the size of the intermediate image (rows x 224 x 3 bytes)
 * instead of growing to a whole decoded photo.
 */

/** N8N_ZSIC_SIMD=0: the JavaScript passes only (to compare, or where WebAssembly SIMD is missing). */
export const SIMD_ENV = 'N8N_ZSIC_SIMD';

const WASM_FILE = join(__dirname, 'bicubicPasses.wasm');
/** Source bytes copied in per call of the horizontal pass. */
const BAND_BYTES = 1 << 20;
/** The horizontal pass reads up to 8 bytes from a pixel's first byte. */
const READ_PAD = 16;
const PAGE = 65536;

/** The few WebAssembly APIs used here (TypeScript's es2022 lib does not declare them; Node has them). */
interface WasmMemory {
	readonly buffer: ArrayBuffer;
	grow(pages: number): number;
}
interface WasmApi {
	Module: new (bytes: Uint8Array) => object;
	Instance: new (module: object, imports: object) => { readonly exports: unknown };
}
const webAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface Exports {
	readonly memory: WasmMemory;
	heapBase(): number;
	horizontalRgb(src: number, inWidth: number, rows: number, start: number, count: number, weights: number, taps: number, dst: number, outWidth: number): void;
	vertical(src: number, rowBytes: number, outRows: number, start: number, count: number, weights: number, taps: number, dst: number): void;
}

let loaded: Exports | null | undefined;

function instance(): Exports | null {
	if (loaded !== undefined) return loaded;
	loaded = null;
	if (process.env[SIMD_ENV] === '0') return loaded;
	try {
		const module = new webAssembly.Module(readFileSync(WASM_FILE));
		loaded = new webAssembly.Instance(module, { env: { abort: () => undefined } }).exports as Exports;
	} catch {
		// No SIMD in this runtime (or the file is missing): the JavaScript passes give the same pixels.
	}
	return loaded;
}

/** Whether the SIMD passes can run in this thread. */
export function simdAvailable(): boolean {
	return instance() !== null;
}

/** Bump allocator over the module's memory for one call; grows the memory when needed. */
class Arena {
	private next: number;
	constructor(private readonly wasm: Exports) {
		this.next = align(wasm.heapBase());
	}
	take(bytes: number): number {
		const at = this.next;
		this.next = align(at + bytes);
		const missing = this.next - this.wasm.memory.buffer.byteLength;
		if (missing > 0) this.wasm.memory.grow(Math.ceil(missing / PAGE));
		return at;
	}
	bytes(at: number, length: number): Uint8Array {
		return new Uint8Array(this.wasm.memory.buffer, at, length);
	}
	ints(at: number, length: number): Int32Array {
		return new Int32Array(this.wasm.memory.buffer, at, length);
	}
}

function align(n: number): number {
	return (n + 15) & ~15;
}

function placeAxis(arena: Arena, axis: ResampleAxis, startOffset = 0): { start: number; count: number; weights: number } {
	const length = axis.start.length;
	const start = arena.take(length * 4);
	const count = arena.take(length * 4);
	const weights = arena.take(axis.weights.length * 4);
	const starts = arena.ints(start, length);
	for (let i = 0; i < length; i++) starts[i] = axis.start[i] - startOffset;
	arena.ints(count, length).set(axis.count);
	arena.ints(weights, axis.weights.length).set(axis.weights);
	return { start, count, weights };
}

/**
 * Horizontal pass over source rows `[rowFirst, rowFirst + rows)` of an interleaved RGB image,
 * then (when `vertical` is given) the vertical pass: `outHeight` rows of `outWidth` pixels.
 * `undefined` when SIMD is not available here.
 */
export function resizeRgbSimd(
	data: Uint8Array,
	inWidth: number,
	rowFirst: number,
	rows: number,
	horizontal: ResampleAxis,
	vertical: ResampleAxis | undefined,
	outWidth: number,
	outHeight: number,
): Uint8Array | undefined {
	const wasm = instance();
	if (!wasm) return undefined;
	const arena = new Arena(wasm);
	const h = placeAxis(arena, horizontal);
	const v = vertical ? placeAxis(arena, vertical, rowFirst) : undefined;
	const rowBytes = outWidth * 3;
	const temp = arena.take(rows * rowBytes + READ_PAD);
	const out = vertical ? arena.take(outHeight * rowBytes + READ_PAD) : temp;
	const srcRowBytes = inWidth * 3;
	const bandRows = Math.max(1, Math.min(rows, Math.floor(BAND_BYTES / srcRowBytes)));
	const band = arena.take(bandRows * srcRowBytes + READ_PAD);
	for (let y = 0; y < rows; y += bandRows) {
		const n = Math.min(bandRows, rows - y);
		const from = (rowFirst + y) * srcRowBytes;
		arena.bytes(band, n * srcRowBytes).set(data.subarray(from, from + n * srcRowBytes));
		wasm.horizontalRgb(band, inWidth, n, h.start, h.count, h.weights, horizontal.taps, temp + y * rowBytes, outWidth);
	}
	if (v && vertical) wasm.vertical(temp, rowBytes, outHeight, v.start, v.count, v.weights, vertical.taps, out);
	return arena.bytes(out, (vertical ? outHeight : rows) * rowBytes).slice();
}
