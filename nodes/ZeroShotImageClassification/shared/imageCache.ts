import { DEFAULT_IMAGE_CACHE_MB, IMAGE_CACHE_ENV, MEGABYTE, sharedImageEmbeddingCache, type ImageEmbeddingCache } from '../../../engine';

/**
 * The image-embedding cache a run uses: the process-wide one Classify and Embed Image share,
 * sized by N8N_ZSIC_IMAGE_CACHE_MB until a node's Image Cache (MB) option resizes it. The
 * option at 0 keeps this node's run out of the cache (the cache stays as it is for the others);
 * the variable at 0 turns the cache off for the whole process.
 */
export function imageCacheFor(megabytes: number | undefined): ImageEmbeddingCache | undefined {
	if (megabytes !== undefined && Number.isFinite(megabytes) && megabytes >= 0) {
		if (megabytes === 0) return undefined;
		sharedImageEmbeddingCache.resize(megabytes * MEGABYTE);
	}
	return sharedImageEmbeddingCache.capacityBytes > 0 ? sharedImageEmbeddingCache : undefined;
}

export const imageCacheOptionDescription = `Memory kept for the embeddings of images already seen (same file content, model and resampling), process-wide and shared by Classify and Embed Image: a re-run skips their decoding and inference. Sets the size for the process; empty for ${IMAGE_CACHE_ENV} (default ${DEFAULT_IMAGE_CACHE_MB} MB, about 28,000 CLIP ViT-B embeddings); 0 keeps this node out of the cache.`;
