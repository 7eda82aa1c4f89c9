import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';
import { decodeDataUrl } from '../../../engine';

/** MIME types that are certainly not images: refused with a clear message before decoding. */
function isNonImageMime(mime: string | undefined): boolean {
	if (!mime) return false;
	const m = mime.toLowerCase();
	return !m.startsWith('image/') && m !== 'application/octet-stream' && m !== 'binary/octet-stream';
}

/** Loaders for an item's image bytes, called when their batch is decoded. */
export interface ItemImages {
	readonly loaders: Array<() => Promise<Buffer>>;
	/** The JSON field held a list of images (the batched form of the replaced HTTP API). */
	readonly batched: boolean;
}

export function itemImages(context: IExecuteFunctions, index: number, source: string): ItemImages {
	if (source === 'json') {
		const field = context.getNodeParameter('imageField', index) as string;
		const item = context.getInputData()[index];
		const value = field.split('.').reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), item.json);
		if (value === undefined) {
			throw new NodeOperationError(context.getNode(), `Item ${index} has no JSON field "${field}"`, { itemIndex: index });
		}
		if (Array.isArray(value)) {
			if (value.length === 0) throw new NodeOperationError(context.getNode(), `Item ${index}: the JSON field "${field}" is an empty list`, { itemIndex: index });
			return { loaders: value.map((entry) => async () => decodeDataUrl(entry)), batched: true };
		}
		return { loaders: [async () => decodeDataUrl(value)], batched: false };
	}
	return { loaders: [binaryLoader(context, index)], batched: false };
}

function binaryLoader(context: IExecuteFunctions, index: number): () => Promise<Buffer> {
	const property = context.getNodeParameter('binaryPropertyName', index) as string;
	const binary = context.helpers.assertBinaryData(index, property);
	if (isNonImageMime(binary.mimeType)) {
		throw new NodeOperationError(context.getNode(), `Item ${index}: binary field "${property}" holds ${binary.mimeType}${binary.fileName ? ` (${binary.fileName})` : ''}, not an image`, {
			itemIndex: index,
		});
	}
	return () => context.helpers.getBinaryDataBuffer(index, property);
}
