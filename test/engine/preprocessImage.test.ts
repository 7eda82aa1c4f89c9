import sharp from 'sharp';
import { preprocessImage } from '../../engine/image/preprocessImage';
import type { PreprocessSpec, Resampling } from '../../engine/image/preprocessSpec';

const SPEC: PreprocessSpec = { size: 8, resizeTo: 8, resizeMode: 'shortest', mean: [0.5, 0.25, 0], std: [0.5, 0.25, 1] };
const OPTIONS = { resampling: 'reference' as Resampling, limits: { maxPixels: 1e8 } };

async function run(input: Buffer, spec = SPEC, options = OPTIONS): Promise<Float32Array> {
	const out = new Float32Array(3 * spec.size * spec.size);
	await preprocessImage(input, spec, options, out);
	return out;
}

function at(pixels: Float32Array, spec: PreprocessSpec, c: number, y: number, x: number): number {
	return pixels[c * spec.size * spec.size + y * spec.size + x];
}

/** Normalized value of an 8-bit sample in channel c under SPEC. */
const norm = (c: number, v: number) => (v / 255 - SPEC.mean[c]) / SPEC.std[c];

function rgb(width: number, height: number, pixel: (x: number, y: number) => number[], channels: 3 | 4 = 3) {
	const data = Buffer.alloc(width * height * channels);
	for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(pixel(x, y), (y * width + x) * channels);
	return sharp(data, { raw: { width, height, channels } });
}

describe('preprocessImage', () => {
	test('writes planar CHW, scaled to [0,1] and normalized with the model mean/std', async () => {
		const png = await rgb(8, 8, () => [255, 0, 51]).png().toBuffer();
		const pixels = await run(png);
		expect(at(pixels, SPEC, 0, 3, 3)).toBeCloseTo(norm(0, 255), 6);
		expect(at(pixels, SPEC, 1, 0, 7)).toBeCloseTo(norm(1, 0), 6);
		expect(at(pixels, SPEC, 2, 7, 0)).toBeCloseTo(norm(2, 51), 6);
	});

	test('centre-crops the long side after resizing the short side', async () => {
		// 24 x 8: left third red, middle green, right blue; the centre crop keeps the green third.
		const png = await rgb(24, 8, (x) => (x < 8 ? [255, 0, 0] : x < 16 ? [0, 255, 0] : [0, 0, 255])).png().toBuffer();
		const pixels = await run(png);
		expect(at(pixels, SPEC, 1, 4, 4)).toBeCloseTo(norm(1, 255), 6);
		expect(at(pixels, SPEC, 0, 4, 4)).toBeCloseTo(norm(0, 0), 6);
	});

	test('squash mode keeps the whole image, distorted', async () => {
		const png = await rgb(24, 8, (x) => (x < 8 ? [255, 0, 0] : x < 16 ? [0, 255, 0] : [0, 0, 255])).png().toBuffer();
		const pixels = await run(png, { ...SPEC, resizeMode: 'squash' });
		expect(at(pixels, SPEC, 0, 4, 0)).toBeCloseTo(norm(0, 255), 1);
		expect(at(pixels, SPEC, 2, 4, 7)).toBeCloseTo(norm(2, 255), 1);
	});

	test('applies EXIF orientation before resizing', async () => {
		const upright = rgb(8, 16, (_, y) => (y < 8 ? [255, 0, 0] : [0, 0, 255])); // red on top
		const uprightPixels = await run(await upright.clone().png().toBuffer(), { ...SPEC, resizeMode: 'squash' });
		// Stored rotated 90° counter-clockwise, with orientation 6 (rotate 90° clockwise to display).
		const stored = await upright.clone().rotate(-90).jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toBuffer();
		const oriented = await run(stored, { ...SPEC, resizeMode: 'squash' });
		expect(at(oriented, SPEC, 0, 0, 4)).toBeCloseTo(at(uprightPixels, SPEC, 0, 0, 4), 1);
		expect(at(oriented, SPEC, 2, 7, 4)).toBeCloseTo(at(uprightPixels, SPEC, 2, 7, 4), 1);
	});

	test('replicates a grayscale image into three equal channels', async () => {
		const grey = await sharp(Buffer.alloc(64, 128), { raw: { width: 8, height: 8, channels: 1 } }).png().toBuffer();
		const pixels = await run(grey, { ...SPEC, mean: [0, 0, 0], std: [1, 1, 1] });
		expect([at(pixels, SPEC, 0, 2, 2), at(pixels, SPEC, 1, 2, 2), at(pixels, SPEC, 2, 2, 2)]).toEqual([128 / 255, 128 / 255, 128 / 255].map((v) => expect.closeTo(v, 6)));
	});

	test('drops alpha without compositing (a transparent pixel keeps its colour)', async () => {
		const png = await rgb(8, 8, () => [200, 100, 50, 0], 4).png().toBuffer();
		const pixels = await run(png);
		expect(at(pixels, SPEC, 0, 4, 4)).toBeCloseTo(norm(0, 200), 6);
		expect(at(pixels, SPEC, 2, 4, 4)).toBeCloseTo(norm(2, 50), 6);
	});

	test('uses the first frame of an animated image', async () => {
		const red = await rgb(8, 8, () => [255, 0, 0]).png().toBuffer();
		const blue = await rgb(8, 8, () => [0, 0, 255]).png().toBuffer();
		const animated = await sharp([red, blue], { join: { animated: true } }).webp({ lossless: true }).toBuffer();
		expect((await sharp(animated, { pages: -1 }).metadata()).pages).toBe(2);
		const pixels = await run(animated);
		expect(at(pixels, SPEC, 0, 4, 4)).toBeCloseTo(norm(0, 255), 6);
		expect(at(pixels, SPEC, 2, 4, 4)).toBeCloseTo(norm(2, 0), 6);
	});

	test('upscales a 1x1 image to a flat input', async () => {
		const png = await rgb(1, 1, () => [10, 20, 30]).png().toBuffer();
		const pixels = await run(png);
		expect(at(pixels, SPEC, 0, 0, 0)).toBeCloseTo(norm(0, 10), 6);
		expect(at(pixels, SPEC, 0, 7, 7)).toBeCloseTo(norm(0, 10), 6);
	});

	test('fast resampling stays within a grey level or two of exact on a photo-like image', async () => {
		const spec: PreprocessSpec = { ...SPEC, size: 32, resizeTo: 32 };
		const jpeg = await rgb(640, 480, (x, y) => [(x * 7 + y) % 256, (y * 3) % 256, ((x ^ y) * 5) % 256]).blur(2).jpeg().toBuffer();
		const exact = await run(jpeg, spec);
		const fast = await run(jpeg, spec, { ...OPTIONS, resampling: 'fast' });
		let sum = 0;
		for (let i = 0; i < exact.length; i++) sum += Math.abs(exact[i] - fast[i]);
		expect(sum / exact.length).toBeLessThan(0.05);
	});

	test('refuses images over the pixel limit before decoding them', async () => {
		const png = await rgb(100, 100, () => [0, 0, 0]).png().toBuffer();
		await expect(run(png, SPEC, { ...OPTIONS, limits: { maxPixels: 5000 } })).rejects.toThrow('100 x 100 px (0.0 MP), over the limit of 0.0 MP');
	});

	test('refuses empty input, non-images and truncated files with a decode error', async () => {
		await expect(run(Buffer.alloc(0))).rejects.toThrow('the image is empty (0 bytes)');
		await expect(run(Buffer.from('just some text, not a picture'))).rejects.toThrow('not a readable image');
		const jpeg = await rgb(64, 64, (x) => [x * 4, 0, 0]).jpeg().toBuffer();
		await expect(run(jpeg.subarray(0, jpeg.length / 2))).rejects.toThrow(/could not be decoded|not a readable image/);
	});
});
