import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';
import { decodeDataUrl } from '../../engine';

/** MIME types that are certainly not images: refused with a clear message before decoding. */
function isNonImageMime(mime: string | undefined): boolean {
	if (!mime) return false;
	const m = mime.toLowerCase();
	return !m.startsWith('image/') && m !== 'application/octet-stream' && m !== 'binary/octet-stream';
}

/** A loader for item `index`'s image bytes, called when its batch is decoded. */
export function imageLoader(context: IExecuteFunctions, index: number, source: string): () => Promise<Buffer> {
	if (source === 'json') {
		const field = context.getNodeParameter('imageField', index) as string;
		const item = context.getInputData()[index];
		const value = field.split('.').reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), item.json);
		if (value === undefined) {
			throw new NodeOperationError(context.getNode(), `Item ${index} has no JSON field "${field}"`, { itemIndex: index });
		}
		return async () => decodeDataUrl(value);
	}
	const property = context.getNodeParameter('binaryPropertyName', index) as string;
	const binary = context.helpers.assertBinaryData(index, property);
	if (isNonImageMime(binary.mimeType)) {
		throw new NodeOperationError(context.getNode(), `Item ${index}: binary field "${property}" holds ${binary.mimeType}${binary.fileName ? ` (${binary.fileName})` : ''}, not an image`, {
			itemIndex: index,
		});
	}
	return () => context.helpers.getBinaryDataBuffer(index, property);
}
