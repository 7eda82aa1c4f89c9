import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { resizeBicubicWindow, type ResamplePasses } from '../../engine/image/bicubicResample';
import { resizeGeometry, type ResizeMode } from '../../engine/image/resizeGeometry';
import { simdAvailable } from '../../engine/image/simdBicubicPasses';

const ROOT = resolve(__dirname, '../..');

function randomRgb(width: number, height: number, seed: number): Uint8Array {
	const data = new Uint8Array(width * height * 3);
	let s = seed >>> 0;
	for (let i = 0; i < data.length; i++) {
		s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
		data[i] = s >>> 24;
	}
	return data;
}

describe('the WebAssembly SIMD resampling passes', () => {
	test('run in this Node (so the comparisons below compare two implementations)', () => {
		expect(simdAvailable()).toBe(true);
	});

	test('the committed module is what `npm run build:wasm` builds from assembly/bicubicPasses.ts', () => {
		const out = join(mkdtempSync(join(tmpdir(), 'zsic-wasm-')), 'bicubicPasses.wasm');
		const script = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts['build:wasm'] as string;
		const args = script.replace(/^asc /, '').replace(/-o \S+$/, `-o ${out}`).split(' ');
		execFileSync(process.execPath, [join(ROOT, 'node_modules/assemblyscript/bin/asc.js'), ...args], { cwd: ROOT, stdio: 'pipe' });
		expect(readFileSync(out).equals(readFileSync(join(ROOT, 'engine/image/bicubicPasses.wasm')))).toBe(true);
	}, 60_000);

	// Shapes that exercise every path: odd widths (the 16-sample vector tail), one source row per
	// band or many, one tap (no reduction on an axis), extreme aspect ratios, upscaling, squash,
	// and a fractional source extent (the reduced JPEG decode).
	const shapes: Array<[number, number, number, ResizeMode, boolean]> = [
		[4000, 3000, 224, 'shortest', false],
		[2000, 1500, 224, 'shortest', true],
		[1801, 1800, 224, 'shortest', true],
		[300, 5000, 224, 'shortest', false],
		[3000, 40, 224, 'shortest', false],
		[640, 480, 32, 'squash', true],
		[225, 224, 224, 'shortest', false],
		[500, 357, 224, 'shortest', false],
		[100, 100, 224, 'shortest', false],
		[1, 1, 224, 'shortest', false],
		[37, 1000, 19, 'shortest', true],
	];
	test.each(shapes)('give the JavaScript passes\' bytes for %i x %i to %i (%s, fractional extent: %s)', (width, height, size, mode, fractional) => {
		const image = { data: randomRgb(width, height, width * 31 + height), width, height, channels: 3 };
		const window = resizeGeometry(width, height, size, mode, size);
		const extent = fractional ? { width: width - 0.5, height: height - 0.75 } : undefined;
		const run = (passes: ResamplePasses) => resizeBicubicWindow(image, window, extent, passes);
		expect(Buffer.from(run('auto')).equals(Buffer.from(run('javascript')))).toBe(true);
	});

	test('give the JavaScript passes\' bytes on saturating input (all 0 and all 255 edges, where the kernel overshoots)', () => {
		const width = 900;
		const height = 700;
		const data = new Uint8Array(width * height * 3);
		for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.fill((x >> 2) % 2 === 0 ? 255 : 0, (y * width + x) * 3, (y * width + x) * 3 + 3);
		const image = { data, width, height, channels: 3 };
		const window = resizeGeometry(width, height, 224, 'shortest', 224);
		expect(Buffer.from(resizeBicubicWindow(image, window, undefined, 'auto')).equals(Buffer.from(resizeBicubicWindow(image, window, undefined, 'javascript')))).toBe(true);
	});
});
