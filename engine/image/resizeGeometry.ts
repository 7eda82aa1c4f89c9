/** Where a model's input square comes from in the resized image. */
export interface ResizeGeometry {
	readonly resizedWidth: number;
	readonly resizedHeight: number;
	readonly left: number;
	readonly top: number;
	readonly width: number;
	readonly height: number;
}

/**
 * `shortest`: scale so the shortest side equals `resizeTo` (the other side `floor(resizeTo * long / short)`,
 * as transformers' `get_resize_output_image_size` and torchvision's `Resize(int)` compute it), then
 * centre-crop `size` x `size`.
 * `squash`: scale both sides to `size`, ignoring the aspect ratio (open_clip's `resize_mode: squash`).
 */
export type ResizeMode = 'shortest' | 'squash';

export function resizeGeometry(width: number, height: number, size: number, mode: ResizeMode, resizeTo = size): ResizeGeometry {
	if (mode === 'squash') {
		return { resizedWidth: size, resizedHeight: size, left: 0, top: 0, width: size, height: size };
	}
	const short = Math.min(width, height);
	const long = Math.max(width, height);
	const longSide = Math.max(resizeTo, Math.floor((resizeTo * long) / short));
	const resizedWidth = width <= height ? resizeTo : longSide;
	const resizedHeight = width <= height ? longSide : resizeTo;
	return {
		resizedWidth,
		resizedHeight,
		left: roundHalfToEven((resizedWidth - size) / 2),
		top: roundHalfToEven((resizedHeight - size) / 2),
		width: size,
		height: size,
	};
}

/** Python's `round()`, which the reference centre crop uses. */
export function roundHalfToEven(x: number): number {
	const floor = Math.floor(x);
	const fraction = x - floor;
	if (fraction > 0.5) return floor + 1;
	if (fraction < 0.5) return floor;
	return floor % 2 === 0 ? floor : floor + 1;
}
