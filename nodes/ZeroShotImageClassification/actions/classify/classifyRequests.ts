import {
	classifyEmbeddings,
	classifyImages,
	classifyImagesByExamples,
	classifyStoredEmbeddingsByExamples,
	type Classification,
	type ClassificationRequest,
	type ClassifyOptions,
	type ClipModel,
	type EmbeddingClassificationRequest,
	type ExampleClassSet,
	type ImageEmbeddingOptions,
} from '../../../../engine';

export type ItemRequest = ClassificationRequest | EmbeddingClassificationRequest;

function isStored(request: ItemRequest): request is EmbeddingClassificationRequest {
	return 'embedding' in request;
}

/**
 * Classifies images and stored embeddings together, results in request order: the images through
 * the vision tower, the stored embeddings scored as they are (an expression may give items
 * different sources). Each kind runs only when present.
 */
export function classifyRequests(model: ClipModel, requests: readonly ItemRequest[], options: ClassifyOptions): Promise<Array<Classification | Error>> {
	return bySource(
		requests,
		(images) => classifyImages(model, images, options),
		(stored) => classifyEmbeddings(model, stored, options),
	);
}

/** The same against classes from examples (the requests' own class lists are not used). */
export function classifyRequestsByExamples(model: ClipModel, requests: readonly ItemRequest[], classes: ExampleClassSet, options: ImageEmbeddingOptions): Promise<Array<Classification | Error>> {
	return bySource(
		requests,
		(images) => classifyImagesByExamples(model, images.map((request) => request.image), classes, options),
		async (stored) => classifyStoredEmbeddingsByExamples(model, stored.map((request) => request.embedding), classes),
	);
}

type Results = Promise<Array<Classification | Error>>;

async function bySource(
	requests: readonly ItemRequest[],
	classifyImageRequests: (images: ClassificationRequest[]) => Results,
	classifyStoredRequests: (stored: EmbeddingClassificationRequest[]) => Results,
): Results {
	const images: number[] = [];
	const stored: number[] = [];
	requests.forEach((request, i) => (isStored(request) ? stored : images).push(i));
	const results: Array<Classification | Error> = new Array(requests.length);
	if (images.length > 0) {
		const classified = await classifyImageRequests(images.map((i) => requests[i] as ClassificationRequest));
		images.forEach((i, k) => (results[i] = classified[k]));
	}
	if (stored.length > 0) {
		const classified = await classifyStoredRequests(stored.map((i) => requests[i] as EmbeddingClassificationRequest));
		stored.forEach((i, k) => (results[i] = classified[k]));
	}
	return results;
}
