import { ImageDecodeError } from '../errors';

const DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*?);base64,(.*)$/s;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * Bytes of an image given as `data:image/...;base64,...` or as bare base64 (what the replaced
 * HTTP server accepted). Anything else is refused with a message saying what was expected.
 */
export function decodeDataUrl(value: unknown): Buffer {
	if (typeof value !== 'string') throw new ImageDecodeError(`expected a base64 string or data URL, got ${value === null ? 'null' : typeof value}`);
	const trimmed = value.trim();
	let payload = trimmed;
	if (trimmed.startsWith('data:')) {
		const match = DATA_URL.exec(trimmed);
		if (!match) throw new ImageDecodeError('malformed data URL: expected data:<mime type>;base64,<data>');
		const mime = match[1].toLowerCase();
		if (mime !== '' && !mime.startsWith('image/') && mime !== 'application/octet-stream') {
			throw new ImageDecodeError(`the data URL holds ${mime}, not an image`);
		}
		payload = match[3];
	}
	const compact = payload.replace(/\s+/g, '');
	if (compact.length === 0) throw new ImageDecodeError('the image data is empty');
	if (!BASE64.test(compact)) throw new ImageDecodeError('the image data is not valid base64');
	return Buffer.from(compact, compact.includes('-') || compact.includes('_') ? 'base64url' : 'base64');
}
