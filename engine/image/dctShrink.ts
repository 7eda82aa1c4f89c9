/**
 * How far a JPEG may be shrunk while it is decoded (libjpeg's DCT scaling: 1/2, 1/4 or 1/8)
 * before the exact bicubic resize takes it the rest of the way.
 *
 * DCT scaling low-passes each 8x8 block on its own instead of antialiasing with Pillow's bicubic
 * kernel, so shrinking straight to the model size moves pixels far from the reference; leaving
 * the exact resize a margin of at least `DCT_MARGIN` x the target size keeps them close.
 * Measured on the conformance photos and camera-like 12 and 24 MP JPEGs (mean absolute pixel
 * difference from the full decode, normalized units), by the margin left: 6.7-8.9 → 0.0009-0.0025,
 * 3.3-4.5 → 0.0020-0.0063, 1.7-2.2 → 0.0032-0.0198. The conformance models (random weights, far
 * more sensitive than trained CLIP) move by up to 0.022 in probability at margin 4.0 (1800 px
 * photo at 1/2) and by at most 0.0015 at margins of 6.7 and more, so 4.5 leaves 12 MP photos at
 * 1/2 scale and keeps every conformance case within 0.01 of the reference.
 */
export const DCT_MARGIN = 4.5;

export type DctShrink = 1 | 2 | 4 | 8;

/** The largest DCT shrink that leaves the shortest side at least `margin` x `targetShortSide`. */
export function dctShrinkFactor(width: number, height: number, targetShortSide: number, margin = DCT_MARGIN): DctShrink {
	const short = Math.min(width, height);
	for (const shrink of [8, 4, 2] as const) if (short / shrink >= margin * targetShortSide) return shrink;
	return 1;
}
