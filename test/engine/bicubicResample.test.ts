import { resampleAxis, resizeBicubicWindow } from '../../engine/image/bicubicResample';

function image(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]) {
	const data = new Uint8Array(width * height * 3);
	for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(pixel(x, y), (y * width + x) * 3);
	return { data, width, height, channels: 3 };
}

describe('Pillow-exact antialiased bicubic resampling', () => {
	test('weights of each output sample sum to one in 22-bit fixed point', () => {
		const axis = resampleAxis(4000, 224, 0, 224);
		for (let i = 0; i < 224; i++) {
			let sum = 0;
			for (let k = 0; k < axis.count[i]; k++) sum += axis.weights[i * axis.taps + k];
			expect(Math.abs(sum - (1 << 22))).toBeLessThanOrEqual(axis.count[i]);
		}
	});

	test('widens the kernel support by the reduction factor when shrinking (antialiasing)', () => {
		expect(resampleAxis(2240, 224, 0, 1).taps).toBe(2 * Math.ceil(2 * 10) + 1);
		expect(resampleAxis(100, 224, 0, 1).taps).toBe(5);
	});

	test('a flat image stays flat at any scale', () => {
		const flat = image(37, 23, () => [12, 200, 99]);
		const out = resizeBicubicWindow(flat, { resizedWidth: 300, resizedHeight: 224, left: 10, top: 0, width: 224, height: 224 });
		for (let i = 0; i < out.length; i += 3) expect([out[i], out[i + 1], out[i + 2]]).toEqual([12, 200, 99]);
	});

	test('the same size is the identity', () => {
		const noise = image(16, 16, (x, y) => [(x * 31 + y * 7) % 256, (x * 3) % 256, (y * 11) % 256]);
		expect(resizeBicubicWindow(noise, { resizedWidth: 16, resizedHeight: 16, left: 0, top: 0, width: 16, height: 16 })).toEqual(noise.data);
	});

	test('bicubic overshoot at a hard edge is clamped to 0..255', () => {
		const edge = image(8, 8, (x) => (x < 4 ? [0, 0, 0] : [255, 255, 255]));
		const out = resizeBicubicWindow(edge, { resizedWidth: 32, resizedHeight: 32, left: 0, top: 0, width: 32, height: 32 });
		expect(Math.min(...out)).toBe(0);
		expect(Math.max(...out)).toBe(255);
	});

	test('matches a hand-computed 2:1 reduction of a horizontal ramp', () => {
		// Reducing 4 → 2 samples: centre 1.0, support 4, kernel scaled by 1/2; symmetric ramp → midpoint averages.
		const ramp = image(4, 1, (x) => [x * 60, 0, 0]);
		const out = resizeBicubicWindow(ramp, { resizedWidth: 2, resizedHeight: 1, left: 0, top: 0, width: 2, height: 1 });
		const axis = resampleAxis(4, 2, 0, 2);
		const expected = [0, 1].map((i) => {
			let acc = 1 << 21;
			for (let k = 0; k < axis.count[i]; k++) acc += (axis.start[i] + k) * 60 * axis.weights[i * axis.taps + k];
			return Math.min(255, Math.max(0, acc >> 22));
		});
		expect([out[0], out[3]]).toEqual(expected);
		expect(out[0]).toBeLessThan(out[3]);
	});
});
