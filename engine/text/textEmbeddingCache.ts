/**
 * Least-recently-used cache of normalized text embeddings, keyed by the exact prompt, so a
 * class list is embedded once per model and process however many executions reuse it.
 * Bounded by entry count: at 768 floats an entry, the default 20,000 entries stay under 64 MB.
 */
export class TextEmbeddingCache {
	private readonly entries = new Map<string, Float32Array>();

	constructor(readonly maxEntries = 20_000) {}

	get size(): number {
		return this.entries.size;
	}

	get(prompt: string): Float32Array | undefined {
		const hit = this.entries.get(prompt);
		if (hit !== undefined) {
			// Map keeps insertion order: re-inserting marks the entry most recently used.
			this.entries.delete(prompt);
			this.entries.set(prompt, hit);
		}
		return hit;
	}

	set(prompt: string, embedding: Float32Array): void {
		this.entries.delete(prompt);
		this.entries.set(prompt, embedding);
		while (this.entries.size > this.maxEntries) {
			const oldest = this.entries.keys().next().value as string;
			this.entries.delete(oldest);
		}
	}

	clear(): void {
		this.entries.clear();
	}
}
