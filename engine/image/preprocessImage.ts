import sharp from 'sharp';
import { ImageDecodeError, EngineError, errorMessage } from '../errors';
import { resizeBicubicWindow } from './bicubicResample';
import { dctShrinkFactor } from './dctShrink';
import { checkImageSignature } from './imageFormat';
import type { DecodeLimits, PreprocessSpec, Resampling } from './preprocessSpec';
import { resizeGeometry } from './resizeGeometry';
import { decodeJpegScaled } from './scaledJpegDecoder';

export interface PreprocessOptions {
	readonly resampling: Resampling;
	readonly limits: DecodeLimits;
	/** `accurate` only: the DCT shrink's margin over the model size (DCT_MARGIN); the benchmark varies it to chart speed against fidelity. */
	readonly dctMargin?: number;
}

/** What a decoded image looked like, for error messages and the CLI's diagnostics. */
export interface ImageInfo {
	readonly format: string;
	/** Size after EXIF orientation. */
	readonly width: number;
	readonly height: number;
	readonly hasAlpha: boolean;
}

// libvips caches decoded images by default; each item here is decoded once, so the cache only costs memory.
sharp.cache(false);

/**
 * Decodes an image and writes the model input for it, normalized CHW float32, into
 * `target` at `offset` (so a whole batch shares one buffer). Steps follow the reference
 * pipelines: EXIF orientation, first frame, RGB (grey replicated, alpha dropped, not
 * composited), resize (shortest side, bicubic) and centre crop, /255, (x - mean) / std.
 */
export async function preprocessImage(
	input: Buffer,
	spec: PreprocessSpec,
	options: PreprocessOptions,
	target: Float32Array,
	offset = 0,
): Promise<ImageInfo> {
	if (input.length === 0) throw new ImageDecodeError('the image is empty (0 bytes)');
	checkImageSignature(input);
	const info = await readImageInfo(input, options.limits);
	// libvips centres its upsampling kernel differently from Pillow (a half-pixel shift), so images
	// smaller than the model input always take the exact path, which is cheap at that size anyway.
	const upscales = Math.min(info.width, info.height) < spec.resizeTo;
	const pixels =
		options.resampling === 'reference' || upscales
			? await exactPixels(input, spec, options.limits)
			: options.resampling === 'accurate'
				? await accuratePixels(input, info, spec, options.limits, options.dctMargin)
				: await fastPixels(input, info, spec, options.limits);
	writeNormalizedChw(pixels, spec, target, offset);
	return info;
}

async function readImageInfo(input: Buffer, limits: DecodeLimits): Promise<ImageInfo> {
	let metadata: sharp.Metadata;
	try {
		metadata = await sharp(input, { limitInputPixels: false }).metadata();
	} catch (error) {
		throw new ImageDecodeError(`not a readable image (${errorMessage(error)})`, 'Supported formats: JPEG, PNG, WebP, GIF, AVIF, TIFF.');
	}
	const width = metadata.autoOrient?.width ?? metadata.width ?? 0;
	const height = metadata.autoOrient?.height ?? metadata.height ?? 0;
	if (width <= 0 || height <= 0) throw new ImageDecodeError(`the ${metadata.format ?? 'image'} has no pixels`);
	if (width * height > limits.maxPixels) {
		throw new EngineError(
			'IMAGE_TOO_LARGE',
			`the image is ${width} x ${height} px (${((width * height) / 1e6).toFixed(1)} MP), over the limit of ${(limits.maxPixels / 1e6).toFixed(1)} MP`,
			'Raise the "Max Image Pixels" option if such large images are expected.',
		);
	}
	return { format: metadata.format ?? 'unknown', width, height, hasAlpha: metadata.hasAlpha === true };
}

function decoderOptions(limits: DecodeLimits): sharp.SharpOptions {
	// ignoreIcc: the reference (Pillow) does not colour-manage, and CLIP was trained on unmanaged pixels.
	return { limitInputPixels: limits.maxPixels, ignoreIcc: true, failOn: 'error', pages: 1 };
}

function decoder(input: Buffer, limits: DecodeLimits): sharp.Sharp {
	return sharp(input, decoderOptions(limits)).autoOrient();
}

interface RgbPixels {
	readonly data: Uint8Array;
	readonly width: number;
	readonly height: number;
}

async function decodeRgb(image: sharp.Sharp): Promise<{ data: Buffer; width: number; height: number }> {
	try {
		const { data, info } = await image.removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
		if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
		return { data, width: info.width, height: info.height };
	} catch (error) {
		throw new ImageDecodeError(`the image could not be decoded (${errorMessage(error)})`, 'The file may be truncated or corrupt.');
	}
}

async function exactPixels(input: Buffer, spec: PreprocessSpec, limits: DecodeLimits): Promise<RgbPixels> {
	const full = await decodeRgb(decoder(input, limits));
	const geometry = resizeGeometry(full.width, full.height, spec.size, spec.resizeMode, spec.resizeTo);
	const data = resizeBicubicWindow({ data: full.data, width: full.width, height: full.height, channels: 3 }, geometry);
	return { data, width: geometry.width, height: geometry.height };
}

/**
 * Large JPEGs decoded at a DCT scale that keeps a margin over the model size, then the exact
 * resize, mapped by the full-size geometry; everything else exactly as the reference.
 */
async function accuratePixels(input: Buffer, info: ImageInfo, spec: PreprocessSpec, limits: DecodeLimits, margin?: number): Promise<RgbPixels> {
	const shrink = info.format === 'jpeg' ? dctShrinkFactor(info.width, info.height, spec.resizeTo, margin) : 1;
	if (shrink === 1) return exactPixels(input, spec, limits);
	let scaled;
	try {
		scaled = await decodeJpegScaled(input, shrink, (image) => decodeRgb(image.autoOrient()), decoderOptions(limits));
	} catch {
		// A damaged JPEG: the full decode reports it as the reference path would (not naming the temporary file), or reads what it can.
		scaled = undefined;
	}
	if (!scaled) return exactPixels(input, spec, limits);
	const geometry = resizeGeometry(info.width, info.height, spec.size, spec.resizeMode, spec.resizeTo);
	const extent = { width: info.width / shrink, height: info.height / shrink };
	const data = resizeBicubicWindow({ data: scaled.data, width: scaled.width, height: scaled.height, channels: 3 }, geometry, extent);
	return { data, width: geometry.width, height: geometry.height };
}

async function fastPixels(input: Buffer, info: ImageInfo, spec: PreprocessSpec, limits: DecodeLimits): Promise<RgbPixels> {
	const geometry = resizeGeometry(info.width, info.height, spec.size, spec.resizeMode, spec.resizeTo);
	let image = decoder(input, limits);
	if (info.hasAlpha) {
		// libvips premultiplies alpha while resizing; the reference drops alpha first, so drop it before resizing.
		const rgb = await decodeRgb(image);
		image = sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } });
	}
	const resized = image
		.resize(geometry.resizedWidth, geometry.resizedHeight, { fit: 'fill', kernel: 'cubic', fastShrinkOnLoad: false })
		.extract({ left: geometry.left, top: geometry.top, width: geometry.width, height: geometry.height });
	const rgb = await decodeRgb(resized);
	return { data: rgb.data, width: rgb.width, height: rgb.height };
}

/** (x / 255 - mean) / std per channel, interleaved HWC bytes → planar CHW floats. */
export function writeNormalizedChw(pixels: RgbPixels, spec: PreprocessSpec, target: Float32Array, offset: number): void {
	const plane = spec.size * spec.size;
	if (pixels.width * pixels.height !== plane) {
		throw new Error(`internal: preprocessed ${pixels.width}x${pixels.height}, expected ${spec.size}x${spec.size}`);
	}
	// A lookup table per channel: 256 entries instead of a division per sample.
	for (let c = 0; c < 3; c++) {
		const table = new Float32Array(256);
		for (let v = 0; v < 256; v++) table[v] = (v / 255 - spec.mean[c]) / spec.std[c];
		const base = offset + c * plane;
		const data = pixels.data;
		for (let i = 0, j = c; i < plane; i++, j += 3) target[base + i] = table[data[j]];
	}
}
