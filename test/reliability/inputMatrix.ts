/**
 * The bad-input matrix (issue 6), shared by the engine, CLI and node specifications: one row
 * per hostile or unusual input, with what must come out of it: a clear per-item error, or a
 * correct result (pixels identical to a reference image whose meaning is unambiguous).
 */
import {
	animated,
	blackPng,
	decompressionBombPng,
	encode,
	flatPixels,
	heicImage,
	orientedPng,
	palettePngWithTransparency,
	patternPixels,
	patternPng,
	PDF_DOCUMENT,
	randomBytes,
	type RawPixels,
	sixteenBitPng,
	SVG_IMAGE,
	SVG_WITH_EXTERNAL_RESOURCES,
	TEXT_FILE,
} from './hostileImages';

export type Outcome =
	/** A per-item error whose message matches. */
	| { readonly error: RegExp }
	/** Classified, with exactly the model input of the reference image. */
	| { readonly sameAs: () => Promise<Buffer> }
	/** Classified; `check` looks at the model input (normalized CHW) when given. */
	| { readonly valid: true; readonly check?: (pixels: Float32Array, reference: Float32Array | undefined) => void; readonly reference?: () => Promise<Buffer> };

export interface ImageRow {
	readonly name: string;
	/** File name (the CLI writes it under this name, the node sets it on the binary). */
	readonly file: string;
	readonly mimeType: string;
	readonly bytes: () => Promise<Buffer>;
	readonly outcome: Outcome;
	/** Engine / node "Max Image Pixels" for this row. */
	readonly maxPixels?: number;
}

const UNREADABLE = /not a readable image|could not be decoded/;

/** Mean absolute difference of two model inputs, in 0-255 grey levels (CLIP std is about 0.27). */
export function meanGreyLevelDifference(a: Float32Array, b: Float32Array): number {
	let sum = 0;
	for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
	return ((sum / a.length) * 0.27 * 255);
}

/** Where two model inputs differ, summarized (jest's diff of 150,528 floats would take minutes). */
export function pixelDifference(a: Float32Array, b: Float32Array): { length: [number, number]; differing: number; maxDifference: number } {
	let differing = 0;
	let maxDifference = 0;
	for (let i = 0; i < Math.min(a.length, b.length); i++) {
		const d = Math.abs(a[i] - b[i]);
		if (d > 0) differing++;
		maxDifference = Math.max(maxDifference, d);
	}
	return { length: [a.length, b.length], differing, maxDifference };
}

export function expectSamePixels(actual: Float32Array, reference: Float32Array): void {
	expect(pixelDifference(actual, reference)).toEqual({ length: [reference.length, reference.length], differing: 0, maxDifference: 0 });
}

const png = (pixels: RawPixels) => () => encode(pixels).png().toBuffer();

/** Rows constant along the long axis: the crop of the resized image equals the 10 x 10 image resized. */
function stripes(width: number, height: number, alongX: boolean): RawPixels {
	const data = Buffer.alloc(width * height * 3);
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			const k = alongX ? y : x;
			data.set([(k * 97) % 256, (k * 41 + 30) % 256, (k * 13 + 200) % 256], (y * width + x) * 3);
		}
	}
	return { data, width, height, channels: 3 };
}

const BLOCKS: RawPixels = (() => {
	// Four flat colours in blocks: survives GIF palette quantization exactly.
	const colours = [
		[230, 20, 20],
		[20, 200, 40],
		[30, 30, 220],
		[250, 250, 250],
	];
	const width = 96;
	const height = 64;
	const data = Buffer.alloc(width * height * 3);
	for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(colours[(Math.floor(x / 24) + Math.floor(y / 32)) % 4], (y * width + x) * 3);
	return { data, width, height, channels: 3 };
})();

const UPRIGHT = patternPixels(60, 40, 3);

export const IMAGE_ROWS: readonly ImageRow[] = [
	{ name: 'zero-byte file', file: 'empty.jpg', mimeType: 'image/jpeg', bytes: async () => Buffer.alloc(0), outcome: { error: /the image is empty \(0 bytes\)/ } },
	{ name: 'random bytes', file: 'random.jpg', mimeType: 'image/jpeg', bytes: async () => randomBytes(4096, 6), outcome: { error: UNREADABLE } },
	{
		name: 'truncated JPEG',
		file: 'truncated.jpg',
		mimeType: 'image/jpeg',
		bytes: async () => {
			const jpeg = await encode(patternPixels(320, 240)).jpeg().toBuffer();
			return jpeg.subarray(0, Math.floor(jpeg.length / 2));
		},
		outcome: { error: UNREADABLE },
	},
	{
		name: 'truncated PNG',
		file: 'truncated.png',
		mimeType: 'image/png',
		bytes: async () => {
			const file = await patternPng(320, 240);
			return file.subarray(0, Math.floor(file.length / 2));
		},
		outcome: { error: UNREADABLE },
	},
	{ name: 'text file named .jpg', file: 'photo.jpg', mimeType: 'image/jpeg', bytes: async () => TEXT_FILE, outcome: { error: /not a readable image/ } },
	{ name: 'SVG (refused)', file: 'drawing.svg', mimeType: 'image/svg+xml', bytes: async () => SVG_IMAGE, outcome: { error: /SVG images are refused/ } },
	{
		name: 'SVG referencing local files and URLs (refused unread)',
		file: 'external.svg',
		mimeType: 'image/svg+xml',
		bytes: async () => SVG_WITH_EXTERNAL_RESOURCES,
		outcome: { error: /SVG images are refused/ },
	},
	{ name: 'PDF', file: 'document.pdf', mimeType: 'application/octet-stream', bytes: async () => PDF_DOCUMENT, outcome: { error: /the file is a PDF document/ } },
	{ name: 'HEIC (no HEVC decoder bundled)', file: 'iphone.heic', mimeType: 'image/heic', bytes: heicImage, outcome: { error: /HEIC images are not supported/ } },
	{
		name: 'AVIF',
		file: 'photo.avif',
		mimeType: 'image/avif',
		bytes: () => encode(patternPixels(320, 240)).avif({ quality: 90 }).toBuffer(),
		outcome: {
			valid: true,
			reference: () => patternPng(320, 240),
			check: (pixels, reference) => expect(meanGreyLevelDifference(pixels, reference as Float32Array)).toBeLessThan(3),
		},
	},
	{
		name: 'decompression bomb (PNG declaring 50,000 x 50,000 px)',
		file: 'bomb.png',
		mimeType: 'image/png',
		bytes: async () => decompressionBombPng(),
		outcome: { error: /50000 x 50000 px \(2500\.0 MP\), over the limit of 100\.0 MP/ },
	},
	{
		name: '25 MP image under a 10 MP "Max Image Pixels"',
		file: 'large.png',
		mimeType: 'image/png',
		bytes: async () => blackPng(5000, 5000),
		maxPixels: 10_000_000,
		outcome: { error: /5000 x 5000 px \(25\.0 MP\), over the limit of 10\.0 MP/ },
	},
	{
		name: '25 MP image under the default limit',
		file: 'large-ok.png',
		mimeType: 'image/png',
		bytes: async () => blackPng(5000, 5000),
		outcome: { sameAs: async () => blackPng(300, 300) },
	},
	{ name: '1 x 1 image', file: 'pixel.png', mimeType: 'image/png', bytes: png(flatPixels(1, 1, [200, 120, 40])), outcome: { sameAs: png(flatPixels(300, 300, [200, 120, 40])) } },
	{ name: 'extreme aspect ratio 10,000 x 10', file: 'wide.png', mimeType: 'image/png', bytes: png(stripes(10_000, 10, true)), outcome: { sameAs: png(stripes(10, 10, true)) } },
	{ name: 'extreme aspect ratio 10 x 10,000', file: 'tall.png', mimeType: 'image/png', bytes: png(stripes(10, 10_000, false)), outcome: { sameAs: png(stripes(10, 10, false)) } },
	{ name: '16-bit PNG', file: 'deep.png', mimeType: 'image/png', bytes: async () => sixteenBitPng(patternPixels(320, 240)), outcome: { sameAs: () => patternPng(320, 240) } },
	{
		name: 'CMYK JPEG',
		file: 'print.jpg',
		mimeType: 'image/jpeg',
		bytes: () => encode(patternPixels(320, 240)).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer(),
		outcome: {
			valid: true,
			reference: () => patternPng(320, 240),
			// Converted to RGB (not read as 4 raw channels, not inverted): close to the source colours.
			check: (pixels, reference) => expect(meanGreyLevelDifference(pixels, reference as Float32Array)).toBeLessThan(20),
		},
	},
	{
		name: 'palette PNG with transparency',
		file: 'palette.png',
		mimeType: 'image/png',
		bytes: async () => palettePngWithTransparency().png,
		outcome: { sameAs: async () => encode(palettePngWithTransparency().rgb).png().toBuffer() },
	},
	{ name: 'animated GIF (first frame)', file: 'anim.gif', mimeType: 'image/gif', bytes: () => animated(BLOCKS, 'gif'), outcome: { sameAs: png(BLOCKS) } },
	{ name: 'animated WebP (first frame)', file: 'anim.webp', mimeType: 'image/webp', bytes: () => animated(UPRIGHT, 'webp'), outcome: { sameAs: png(UPRIGHT) } },
	...[1, 2, 3, 4, 5, 6, 7, 8].map(
		(orientation): ImageRow => ({
			name: `EXIF orientation ${orientation}`,
			file: `oriented-${orientation}.png`,
			mimeType: 'image/png',
			bytes: () => orientedPng(UPRIGHT, orientation),
			outcome: { sameAs: png(UPRIGHT) },
		}),
	),
];

/** A class-list row: what a user typed (the node's string / the CLI's --class) and the engine's list. */
export interface ClassRow {
	readonly name: string;
	/** As the node's "Classes" parameter (and the CLI's comma-separated --class). */
	readonly text: string | string[];
	/** As the engine gets it (no parsing). */
	readonly classes: string[];
	readonly template?: string;
	readonly outcome: { error: RegExp } | { valid: true };
}

export const THOUSAND_CLASSES = Array.from({ length: 1000 }, (_, i) => `class number ${i}`);
export const LONG_CLASS = Array.from({ length: 120 }, (_, i) => `word${i % 10}`).join(' ');
export const INTERNATIONAL_CLASSES = ['🐱 a cat', '猫', '一只狗', 'قطة', 'חתול', '👨‍👩‍👧‍👦', 'Ærøskøbing'];

export const CLASS_ROWS: readonly ClassRow[] = [
	{ name: 'empty class list', text: '', classes: [], outcome: { error: /the class list is empty/ } },
	{ name: 'only blank classes', text: ' ,  , ', classes: [' ', '', '  '], outcome: { error: /the class list is empty|blank/ } },
	{ name: 'duplicate classes', text: 'cat, dog, cat', classes: ['cat', 'dog', 'cat'], outcome: { error: /the class "cat" appears twice/ } },
	{ name: 'a single class', text: 'cat', classes: ['cat'], outcome: { valid: true } },
	{ name: '1,000 classes', text: THOUSAND_CLASSES.join(','), classes: THOUSAND_CLASSES, outcome: { valid: true } },
	{ name: 'a class longer than the context length', text: `${LONG_CLASS}, dog`, classes: [LONG_CLASS, 'dog'], outcome: { valid: true } },
	{ name: 'emoji, CJK and right-to-left classes', text: INTERNATIONAL_CLASSES.join(','), classes: INTERNATIONAL_CLASSES, outcome: { valid: true } },
	{ name: 'a template without {}', text: 'cat, dog, car', classes: ['cat', 'dog', 'car'], template: 'a photo of a', outcome: { valid: true } },
];
