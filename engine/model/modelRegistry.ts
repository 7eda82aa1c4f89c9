import { realpath } from 'node:fs/promises';
import { EngineError } from '../errors';
import { ClipModel, type ClipModelOptions } from './clipModel';

interface Entry {
	readonly model: Promise<ClipModel>;
	users: number;
	lastUsed: number;
	/** Produced broken output (NaN, wrong sizes): forgotten, released once its last user is done. */
	broken?: boolean;
}

/**
 * Loaded models shared by every caller in the process: concurrent executions that ask for the
 * same model wait on one load, and at most `maxLoaded` models stay in memory (least recently
 * used idle ones are released first). A failed load is forgotten, and so is a model whose
 * inference produced broken output, so fixing the folder and running again works without
 * restarting n8n.
 */
export class ModelRegistry {
	private readonly entries = new Map<string, Entry>();
	loads = 0;

	constructor(private maxLoaded = 2) {}

	setMaxLoaded(value: number): void {
		this.maxLoaded = Math.max(1, value);
	}

	async use<T>(folder: string, options: ClipModelOptions, work: (model: ClipModel) => Promise<T>): Promise<T> {
		const key = await this.keyOf(folder, options);
		let entry = this.entries.get(key);
		if (!entry) {
			this.loads++;
			const model = ClipModel.load(folder, options);
			entry = { model, users: 0, lastUsed: Date.now() };
			this.entries.set(key, entry);
			const created = entry;
			model.catch(() => {
				if (this.entries.get(key) === created) this.entries.delete(key);
			});
		}
		entry.users++;
		entry.lastUsed = Date.now();
		try {
			return await work(await entry.model);
		} catch (error) {
			if (error instanceof EngineError && error.code === 'INFERENCE') this.forgetBroken(key, entry);
			throw error;
		} finally {
			entry.users--;
			entry.lastUsed = Date.now();
			if (entry.broken && entry.users === 0) await entry.model.then((m) => m.release(), () => undefined);
			await this.evictIdle();
		}
	}

	private forgetBroken(key: string, entry: Entry): void {
		if (entry.broken) return;
		entry.broken = true;
		if (this.entries.get(key) === entry) this.entries.delete(key);
	}

	/** Releases every idle model (used by tests and on shutdown). */
	async clear(): Promise<void> {
		const idle = [...this.entries].filter(([, e]) => e.users === 0);
		for (const [key] of idle) this.entries.delete(key);
		await Promise.all(idle.map(([, e]) => e.model.then((m) => m.release(), () => undefined)));
	}

	get loadedCount(): number {
		return this.entries.size;
	}

	private async keyOf(folder: string, options: ClipModelOptions): Promise<string> {
		let resolved = folder;
		try {
			resolved = await realpath(folder);
		} catch {
			// A missing folder fails in the load, with a message naming it.
		}
		return JSON.stringify([resolved, options.variant ?? 'fp32', options.runtime?.intraOpThreads ?? 0, options.runtime?.backend ?? 'auto', options.logitScale ?? null, options.logitBias ?? null]);
	}

	private async evictIdle(): Promise<void> {
		while (this.entries.size > this.maxLoaded) {
			const idle = [...this.entries].filter(([, e]) => e.users === 0).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
			if (idle.length === 0) return;
			const [key, entry] = idle[0];
			this.entries.delete(key);
			await entry.model.then((m) => m.release(), () => undefined);
		}
	}
}

/** The process-wide registry the n8n node and the CLI share. */
export const sharedModelRegistry = new ModelRegistry(Number(process.env.N8N_ZSIC_MAX_LOADED_MODELS) || 2);
