import type { ResizeMode } from './resizeGeometry';

/** How a model wants its images: read from the model folder, never assumed. */
export interface PreprocessSpec {
	/** Side of the square model input (the centre crop). */
	readonly size: number;
	/** Shortest side after resizing, before the crop (equal to `size` for CLIP). */
	readonly resizeTo: number;
	readonly mean: readonly [number, number, number];
	readonly std: readonly [number, number, number];
	readonly resizeMode: ResizeMode;
}

/**
 * `exact` reproduces Pillow's antialiased bicubic resize bit for bit (the reference CLIP
 * pipelines); `fast` lets libvips resize during decoding (JPEG shrink-on-load, SIMD), several
 * times faster on large photos, with pixels within about one grey level of the reference.
 */
export type Resampling = 'exact' | 'fast';

export interface DecodeLimits {
	/** Images with more pixels than this are refused before they are decoded. */
	readonly maxPixels: number;
}

/** 100 megapixels: every current camera photo, while a decompression bomb is refused cheaply. */
export const DEFAULT_MAX_PIXELS = 100_000_000;
