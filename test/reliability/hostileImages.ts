/**
 * The bad-input matrix of the reliability specifications: hostile, broken and unusual image
 * files, each made deterministically at test time (no binary fixtures in the repository).
 */
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { seededRandom } from '../fixtures/seededRandom';


export function randomBytes(length: number, seed: number): Buffer {
	const next = seededRandom(seed);
	const out = Buffer.alloc(length);
	for (let i = 0; i < length; i++) out[i] = Math.floor(next() * 256);
	return out;
}

/** Raw interleaved RGB (or RGBA) pixels with their size. */
export interface RawPixels {
	readonly data: Buffer;
	readonly width: number;
	readonly height: number;
	readonly channels: 3 | 4;
}

/** An asymmetric, colourful pattern: every orientation mistake and channel swap shows. */
export function patternPixels(width: number, height: number, seed = 0, channels: 3 | 4 = 3): RawPixels {
	const data = Buffer.alloc(width * height * channels);
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			const o = (y * width + x) * channels;
			data[o] = (x * 255) / Math.max(1, width - 1);
			data[o + 1] = (y * 255) / Math.max(1, height - 1);
			data[o + 2] = ((Math.floor(x / 8) + Math.floor(y / 8) + seed) % 3) * 120;
			if (channels === 4) data[o + 3] = 255;
		}
	}
	// A bright block near the top left marks which way is up and which side is left.
	for (let y = 0; y < Math.min(height, Math.max(1, height >> 3)); y++) {
		for (let x = 0; x < Math.min(width, Math.max(1, width >> 3)); x++) data.fill(255, (y * width + x) * channels, (y * width + x) * channels + 3);
	}
	return { data, width, height, channels };
}

export function encode(pixels: RawPixels): sharp.Sharp {
	return sharp(pixels.data, { raw: { width: pixels.width, height: pixels.height, channels: pixels.channels } });
}

/** A photo-like test image of the given size (lossless PNG). */
export async function patternPng(width: number, height: number, seed = 0): Promise<Buffer> {
	return encode(patternPixels(width, height, seed)).png().toBuffer();
}

// --- PNG chunks written by hand, for the files no encoder would make -----------------------

const CRC_TABLE = (() => {
	const table = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		table[n] = c >>> 0;
	}
	return table;
})();

function crc32(bytes: Buffer): number {
	let crc = 0xffffffff;
	for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
	return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(body));
	return Buffer.concat([length, body, crc]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function ihdr(width: number, height: number, bitDepth: number, colourType: number): Buffer {
	const data = Buffer.alloc(13);
	data.writeUInt32BE(width, 0);
	data.writeUInt32BE(height, 4);
	data[8] = bitDepth;
	data[9] = colourType;
	return pngChunk('IHDR', data);
}

/**
 * A decompression bomb: an 8-bit RGB PNG whose header declares `width` x `height` pixels
 * while the file carries only `rows` rows of zeros (a few hundred bytes for 50,000 x 50,000,
 * i.e. 2.5 gigapixels, 7.5 GB once decoded).
 */
export function decompressionBombPng(width = 50_000, height = 50_000, rows = 4): Buffer {
	const raw = Buffer.alloc((width * 3 + 1) * rows);
	return Buffer.concat([PNG_SIGNATURE, ihdr(width, height, 8, 2), pngChunk('IDAT', deflateSync(raw, { level: 9 })), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A complete, valid all-black RGB PNG of the given size (compresses to almost nothing). */
export function blackPng(width: number, height: number): Buffer {
	return decompressionBombPng(width, height, height);
}

/**
 * A palette PNG with a tRNS chunk: 4 colours, the first fully transparent, the second half
 * transparent. Returns the file and the RGB pixels a reader that drops alpha must see.
 */
export function palettePngWithTransparency(width = 40, height = 30): { png: Buffer; rgb: RawPixels } {
	const palette = [
		[220, 30, 30],
		[30, 200, 60],
		[20, 40, 230],
		[250, 250, 20],
	];
	const alpha = [0, 128, 255, 255];
	const indexOf = (x: number, y: number) => (Math.floor(x / 10) + 2 * Math.floor(y / 10)) % 4;
	const raw = Buffer.alloc((width + 1) * height);
	const rgb = Buffer.alloc(width * height * 3);
	for (let y = 0; y < height; y++) {
		raw[y * (width + 1)] = 0; // filter: none
		for (let x = 0; x < width; x++) {
			const index = indexOf(x, y);
			raw[y * (width + 1) + 1 + x] = index;
			rgb.set(palette[index], (y * width + x) * 3);
		}
	}
	const png = Buffer.concat([
		PNG_SIGNATURE,
		ihdr(width, height, 8, 3),
		pngChunk('PLTE', Buffer.from(palette.flat())),
		pngChunk('tRNS', Buffer.from(alpha)),
		pngChunk('IDAT', deflateSync(raw)),
		pngChunk('IEND', Buffer.alloc(0)),
	]);
	return { png, rgb: { data: rgb, width, height, channels: 3 } };
}

/** A 16-bit RGB PNG (written by hand) whose samples are v * 257, so its 8-bit reading is exactly `pixels`. */
export function sixteenBitPng(pixels: RawPixels): Buffer {
	const { width, height, channels } = pixels;
	const stride = width * 6 + 1;
	const raw = Buffer.alloc(stride * height);
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			for (let c = 0; c < 3; c++) raw.writeUInt16BE(pixels.data[(y * width + x) * channels + c] * 257, y * stride + 1 + (x * 3 + c) * 2);
		}
	}
	return Buffer.concat([PNG_SIGNATURE, ihdr(width, height, 16, 2), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))]);
}

/**
 * The stored pixels of an image whose EXIF orientation `orientation` displays `upright`:
 * the inverse of the transform the tag asks a viewer to apply, written out coordinate by
 * coordinate (not with sharp's own rotate/flip, which is what is being tested).
 */
export function storedForOrientation(upright: RawPixels, orientation: number): RawPixels {
	const { width: W, height: H, channels } = upright;
	const swap = orientation >= 5;
	const w = swap ? H : W;
	const h = swap ? W : H;
	const data = Buffer.alloc(w * h * channels);
	for (let y = 0; y < H; y++) {
		for (let x = 0; x < W; x++) {
			let sx: number;
			let sy: number;
			switch (orientation) {
				case 1: [sx, sy] = [x, y]; break;
				case 2: [sx, sy] = [W - 1 - x, y]; break; // mirrored
				case 3: [sx, sy] = [W - 1 - x, H - 1 - y]; break; // rotated 180°
				case 4: [sx, sy] = [x, H - 1 - y]; break; // flipped
				case 5: [sx, sy] = [y, x]; break; // transposed
				case 6: [sx, sy] = [y, W - 1 - x]; break; // viewer rotates 90° clockwise
				case 7: [sx, sy] = [H - 1 - y, W - 1 - x]; break; // transversed
				case 8: [sx, sy] = [H - 1 - y, x]; break; // viewer rotates 90° counter-clockwise
				default: throw new Error(`no EXIF orientation ${orientation}`);
			}
			upright.data.copy(data, (sy * w + sx) * channels, (y * W + x) * channels, (y * W + x + 1) * channels);
		}
	}
	return { data, width: w, height: h, channels };
}

/** A lossless PNG carrying EXIF orientation `orientation` that displays as `upright`. */
export async function orientedPng(upright: RawPixels, orientation: number): Promise<Buffer> {
	return encode(storedForOrientation(upright, orientation)).png().withMetadata({ orientation }).toBuffer();
}

/** A two-frame animation: first frame `first`, second a flat blue. */
export async function animated(first: RawPixels, format: 'gif' | 'webp'): Promise<Buffer> {
	const a = await encode(first).png().toBuffer();
	const b = await sharp({ create: { width: first.width, height: first.height, channels: 3, background: { r: 0, g: 0, b: 255 } } }).png().toBuffer();
	const joined = sharp([a, b], { join: { animated: true } });
	return format === 'gif' ? joined.gif({ colours: 256, dither: 0 }).toBuffer() : joined.webp({ lossless: true }).toBuffer();
}

/** A flat-coloured image (GIF-safe: one colour survives palette quantization exactly). */
export function flatPixels(width: number, height: number, rgb: readonly [number, number, number]): RawPixels {
	const data = Buffer.alloc(width * height * 3);
	for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
	return { data, width, height, channels: 3 };
}

export const SVG_IMAGE = Buffer.from(
	'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="#c03"/></svg>\n',
);

/** An SVG that would make a renderer fetch other files (local and remote) while rendering. */
export const SVG_WITH_EXTERNAL_RESOURCES = Buffer.from(
	'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="64" height="64">' +
		'<image href="file:///etc/passwd" width="64" height="64"/>' +
		'<image xlink:href="http://127.0.0.1:9/probe.png" width="64" height="64"/>' +
		'<use href="other.svg#shape"/></svg>',
);

export const PDF_DOCUMENT = Buffer.from(
	'%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n' +
		'trailer << /Root 1 0 R >>\n%%EOF\n',
);

/**
 * An HEIC file: an AVIF (HEIF container) whose brands and codec say HEVC, as iPhones write.
 * The bundled libvips reads HEIF containers but carries no HEVC decoder.
 */
export async function heicImage(): Promise<Buffer> {
	const avif = await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: 200, g: 10, b: 10 } } }).avif().toBuffer();
	return Buffer.from(avif.toString('latin1').replace(/avif/g, 'heic').replace(/av01/g, 'hvc1'), 'latin1');
}

export const TEXT_FILE = Buffer.from('This is a plain text file that someone saved as photo.jpg.\nIt has no pixels at all.\n');
