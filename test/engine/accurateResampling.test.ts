import { readdirSync } from 'node:fs';
// The module object itself (a namespace import is read-only), which the decoder calls through.
const fsPromises = jest.requireActual<typeof import('node:fs/promises')>('node:fs/promises');
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { DCT_MARGIN, dctShrinkFactor } from '../../engine/image/dctShrink';
import { preprocessImage } from '../../engine/image/preprocessImage';
import { decodeJpegScaled } from '../../engine/image/scaledJpegDecoder';
import { DEFAULT_RESAMPLING, parseResampling, type PreprocessSpec, type Resampling } from '../../engine/image/preprocessSpec';

/** A small model input keeps the photos small: 32 px x 4.25 = 136 px, so a 640 x 480 JPEG decodes at 1/2. */
const SPEC: PreprocessSpec = { size: 32, resizeTo: 32, resizeMode: 'shortest', mean: [0.48, 0.46, 0.41], std: [0.27, 0.26, 0.28] };

async function modelInput(input: Buffer, resampling: Resampling): Promise<Float32Array> {
	const out = new Float32Array(3 * SPEC.size * SPEC.size);
	await preprocessImage(input, SPEC, { resampling, limits: { maxPixels: 1e8 } }, out);
	return out;
}

function meanAbsoluteDifference(a: Float32Array, b: Float32Array): number {
	let sum = 0;
	for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
	return sum / a.length;
}

/** Fine detail at every scale, like a photo: what DCT scaling and the bicubic kernel treat differently. */
function photoLike(width: number, height: number): sharp.Sharp {
	const data = Buffer.alloc(width * height * 3);
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			const i = (y * width + x) * 3;
			const h = Math.sin(x * 12.9898 + y * 78.233) * 43758.5453;
			const grain = (h - Math.floor(h)) * 24;
			data[i] = 128 + 90 * Math.sin(x / 37) * Math.cos(y / 23) + grain;
			data[i + 1] = 120 + 80 * Math.sin((x + y) / 11) + grain;
			data[i + 2] = 100 + 60 * Math.cos(x / 5 - y / 17) + grain;
		}
	}
	return sharp(data, { raw: { width, height, channels: 3 } });
}

const ourTemporaryFiles = (): string[] => readdirSync(tmpdir()).filter((f) => f.startsWith(`n8n-zsic-${process.pid}-`));

describe('accurate resampling (the default)', () => {
	let photo: Buffer;
	beforeAll(async () => {
		photo = await photoLike(640, 480).jpeg({ quality: 92 }).toBuffer();
	});

	test('is the default, and "exact" (the bit-exact mode\'s earlier name) still means reference', () => {
		expect(DEFAULT_RESAMPLING).toBe('accurate');
		expect(parseResampling('exact')).toBe('reference');
		expect(parseResampling('accurate')).toBe('accurate');
		expect(parseResampling('lanczos')).toBeUndefined();
	});

	test('shrinks in the DCT domain by the largest factor that leaves the margin over the model size', () => {
		expect(DCT_MARGIN).toBe(4.25);
		// 224 x 4.25 = 952 px on the short side at least.
		expect(dctShrinkFactor(4000, 3000, 224)).toBe(2);
		expect(dctShrinkFactor(3000, 4000, 224)).toBe(2);
		expect(dctShrinkFactor(2592, 1944, 224)).toBe(2);
		expect(dctShrinkFactor(6000, 4000, 224)).toBe(4);
		expect(dctShrinkFactor(8064, 6048, 224)).toBe(4);
		expect(dctShrinkFactor(16128, 9000, 224)).toBe(8);
		expect(dctShrinkFactor(1800, 1801, 224)).toBe(1);
		expect(dctShrinkFactor(1903, 3000, 224)).toBe(1);
		expect(dctShrinkFactor(1904, 3000, 224)).toBe(2);
	});

	test('stays within 0.005 of the reference pixels on a large JPEG, which it did decode at a reduced scale', async () => {
		const mad = meanAbsoluteDifference(await modelInput(photo, 'accurate'), await modelInput(photo, 'reference'));
		expect(mad).toBeGreaterThan(0);
		expect(mad).toBeLessThanOrEqual(0.005);
	});

	test('keeps the full-size geometry: a picture whose side is not a multiple of the shrink lines up with the reference', async () => {
		// 645 x 483 at 1/2 decodes to 323 x 242 columns for 322.5 x 241.5 columns of picture.
		const odd = await photoLike(645, 483).jpeg({ quality: 92 }).toBuffer();
		expect(meanAbsoluteDifference(await modelInput(odd, 'accurate'), await modelInput(odd, 'reference'))).toBeLessThanOrEqual(0.005);
	});

	test('applies EXIF orientation to the reduced decode as to the full one', async () => {
		const rotated = await photoLike(640, 480).jpeg({ quality: 92 }).withMetadata({ orientation: 6 }).toBuffer();
		expect(meanAbsoluteDifference(await modelInput(rotated, 'accurate'), await modelInput(rotated, 'reference'))).toBeLessThanOrEqual(0.005);
	});

	test('gives the reference pixels, bit for bit, for small JPEGs and for other formats', async () => {
		const small = await photoLike(280, 200).jpeg({ quality: 92 }).toBuffer();
		const png = await photoLike(640, 480).png().toBuffer();
		for (const image of [small, png]) expect(await modelInput(image, 'accurate')).toEqual(await modelInput(image, 'reference'));
	});

	test('leaves no temporary file behind', async () => {
		const before = ourTemporaryFiles();
		await modelInput(photo, 'accurate');
		expect(ourTemporaryFiles()).toEqual(before);
	});

	test('declines (so the caller decodes in full) when no temporary file can be written', async () => {
		const unwritable = join(tmpdir(), 'n8n-zsic-no-such-dir', 'nested');
		const decode = jest.fn(async () => ({ data: Buffer.alloc(3), width: 1, height: 1 }));
		expect(await decodeJpegScaled(photo, 2, decode, {}, unwritable)).toBeUndefined();
		expect(decode).not.toHaveBeenCalled();
	});

	test('declines only the image whose temporary file met a passing error (a full disk), and tries the next', async () => {
		const decode = jest.fn(async () => ({ data: Buffer.alloc(3), width: 1, height: 1 }));
		const full = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
		const write = jest.spyOn(fsPromises, 'writeFile').mockRejectedValueOnce(full);
		try {
			expect(await decodeJpegScaled(photo, 2, decode, {})).toBeUndefined();
			expect(await decodeJpegScaled(photo, 2, decode, {})).toEqual({ data: Buffer.alloc(3), width: 1, height: 1 });
			expect(write).toHaveBeenCalledTimes(2);
		} finally {
			write.mockRestore();
		}
	});

	test('reports a damaged large JPEG as the reference path does, without naming a temporary file', async () => {
		const truncated = photo.subarray(0, Math.floor(photo.length * 0.6));
		const reference = await modelInput(truncated, 'reference').then(
			() => 'decoded',
			(error: Error) => error.message,
		);
		const accurate = await modelInput(truncated, 'accurate').then(
			() => 'decoded',
			(error: Error) => error.message,
		);
		expect(accurate).toBe(reference);
		expect(accurate).not.toContain('n8n-zsic-');
	});
});
