import { classifyEmbeddings, classifyImages, type Classification, type ClassificationRequest, type ClassifyOptions, type ClipModel, type EmbeddingClassificationRequest } from '../../../../engine';

export type ItemRequest = ClassificationRequest | EmbeddingClassificationRequest;

function isStored(request: ItemRequest): request is EmbeddingClassificationRequest {
	return 'embedding' in request;
}

/**
 * Classifies images and stored embeddings together, results in request order: the images through
 * the vision tower, the stored embeddings scored as they are (an expression may give items
 * different sources). Each kind runs only when present.
 */
export async function classifyRequests(model: ClipModel, requests: readonly ItemRequest[], options: ClassifyOptions): Promise<Array<Classification | Error>> {
	const images: number[] = [];
	const stored: number[] = [];
	requests.forEach((request, i) => (isStored(request) ? stored : images).push(i));
	const results: Array<Classification | Error> = new Array(requests.length);
	if (images.length > 0) {
		const classified = await classifyImages(
			model,
			images.map((i) => requests[i] as ClassificationRequest),
			options,
		);
		images.forEach((i, k) => (results[i] = classified[k]));
	}
	if (stored.length > 0) {
		const classified = await classifyEmbeddings(
			model,
			stored.map((i) => requests[i] as EmbeddingClassificationRequest),
			options,
		);
		stored.forEach((i, k) => (results[i] = classified[k]));
	}
	return results;
}
