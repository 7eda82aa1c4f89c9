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
 * more sensitive than trained CLIP) move by up to 0.022 in probability at margin 4.02 (the 1800 px
 * photo at 1/2), so the margin stays above that. It stays below 4.34 and 4.46, where two common
 * camera sizes land: 2592x1944 (5 MP) at 1/2 and 6000x4000 (24 MP) at 1/4. At 4.5 both just missed
 * the shrink and were decoded at twice the scale; at 4.25 a 24 MP photo preprocesses in 75 ms instead
 * of 106 (one thread) and stays within 0.003 of the full decode.
 */
export const DCT_MARGIN = 4.25;

export type DctShrink = 1 | 2 | 4 | 8;

/** The largest DCT shrink that leaves the shortest side at least `margin` x `targetShortSide`. */
export function dctShrinkFactor(width: number, height: number, targetShortSide: number, margin = DCT_MARGIN): DctShrink {
	const short = Math.min(width, height);
	for (const shrink of [8, 4, 2] as const) if (short / shrink >= margin * targetShortSide) return shrink;
	return 1;
}
