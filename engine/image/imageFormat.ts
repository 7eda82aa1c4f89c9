import { ImageDecodeError } from '../errors';

export const SUPPORTED_FORMATS_HINT = 'Supported formats: JPEG, PNG, WebP, GIF, AVIF, TIFF.';

/** HEIF brands of HEVC-coded images (iPhone photos); the bundled libvips has no HEVC decoder. */
const HEVC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs']);

function startsWith(input: Buffer, ...bytes: number[]): boolean {
	return input.length >= bytes.length && bytes.every((b, i) => input[i] === b);
}

function ascii(input: Buffer, start: number, end: number): string {
	return input.subarray(start, end).toString('latin1');
}

function looksLikeSvg(input: Buffer): boolean {
	const head = input.subarray(0, 4096).toString('utf8').replace(/^\uFEFF/, '').trimStart();
	return head.startsWith('<') && /<svg[\s>]/i.test(head);
}

/**
 * Checks the file signature before any decoder sees the bytes. Only photo formats are let
 * through (JPEG, PNG, GIF, WebP, TIFF, AVIF/HEIF); everything else is refused here, notably
 * SVG: it is not a photo format, and rendering an untrusted SVG (librsvg) means parsing XML
 * that may reference other files or URLs. PDF (no decoder bundled) and HEIC (no HEVC decoder
 * bundled) get messages of their own.
 */
export function checkImageSignature(input: Buffer): void {
	if (startsWith(input, 0xff, 0xd8, 0xff)) return; // JPEG
	if (startsWith(input, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return; // PNG
	if (ascii(input, 0, 4) === 'GIF8') return;
	if (ascii(input, 0, 4) === 'RIFF' && ascii(input, 8, 12) === 'WEBP') return;
	if (startsWith(input, 0x49, 0x49, 0x2a, 0x00) || startsWith(input, 0x4d, 0x4d, 0x00, 0x2a)) return; // TIFF
	if (startsWith(input, 0x49, 0x49, 0x2b, 0x00) || startsWith(input, 0x4d, 0x4d, 0x00, 0x2b)) return; // BigTIFF
	if (ascii(input, 4, 8) === 'ftyp') {
		if (HEVC_BRANDS.has(ascii(input, 8, 12))) {
			throw new ImageDecodeError('HEIC images are not supported (no HEVC decoder is bundled)', 'Convert the photo to JPEG first (e.g. set the camera or phone to "Most Compatible").');
		}
		return; // AVIF and other HEIF
	}
	if (ascii(input, 0, 5) === '%PDF-') throw new ImageDecodeError('not a readable image: the file is a PDF document', SUPPORTED_FORMATS_HINT);
	if (looksLikeSvg(input)) {
		throw new ImageDecodeError(
			'SVG images are refused: vector graphics are not photos, and rendering an untrusted SVG could make the renderer read other files or URLs',
			'Convert the SVG to PNG in a trusted step before classifying it.',
		);
	}
	const head = [...input.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
	throw new ImageDecodeError(`not a readable image: the file does not start like a JPEG, PNG, WebP, GIF, TIFF or AVIF file (first bytes: ${head})`, SUPPORTED_FORMATS_HINT);
}
