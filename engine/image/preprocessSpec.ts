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
 * `reference` reproduces Pillow's antialiased bicubic resize of the fully decoded image bit for
 * bit (the reference CLIP pipelines). `accurate`, the default, decodes large JPEGs at a reduced
 * DCT scale that keeps three times the model size, then resizes exactly as `reference`: several
 * times faster on phone photos, pixels within 0.005 of the reference on average (other images
 * get `reference`'s pixels). `fast` lets libvips resize during decoding, within about one grey
 * level.
 */
export type Resampling = 'accurate' | 'reference' | 'fast';

export const RESAMPLINGS: readonly Resampling[] = ['accurate', 'reference', 'fast'];
export const DEFAULT_RESAMPLING: Resampling = 'accurate';

/** A user's choice of resampling; `exact`, the bit-exact mode's earlier name, still means `reference`. */
export function parseResampling(value: string): Resampling | undefined {
	if (value === 'exact') return 'reference';
	return (RESAMPLINGS as readonly string[]).includes(value) ? (value as Resampling) : undefined;
}

export interface DecodeLimits {
	/** Images with more pixels than this are refused before they are decoded. */
	readonly maxPixels: number;
}

/** 100 megapixels: every current camera photo, while a decompression bomb is refused cheaply. */
export const DEFAULT_MAX_PIXELS = 100_000_000;
