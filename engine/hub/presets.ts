import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { isSafeRepoFilePath, isValidPresetId, isValidRepoId, isValidRevision, isValidVariant } from './hubNames';
import { detectLayout, MODEL_LAYOUTS, type ModelLayout } from './modelLayout';
import { isSha256Hex } from './fileIntegrity';
import type { ModelFamily } from '../model/modelFamily';

export interface PresetFile {
	/** Path inside the repo. */
	path: string;
	/** Only downloaded for this variant; absent means needed by every variant. */
	variant?: string;
	/** May be missing from the repo (e.g. ONNX external data that only large exports have). */
	optional?: boolean;
	/** Pinned size and hash: verified instead of what the Hub announces. */
	size?: number;
	sha256?: string;
}

export interface PresetManifest {
	id: string;
	title: string;
	/** One line, shown in the node's model list and by `clip-classify models`. */
	description: string;
	source: {
		repo: string;
		revision: string;
		/** Free text, e.g. why the revision is a branch rather than a commit. */
		comment?: string;
		files: PresetFile[];
	};
	layout: ModelLayout;
	defaultVariant: string;
	/**
	 * CLIP or SigLIP, as the folder's config will say once downloaded: stated so the node can tell
	 * before any download whether Classify needs the logit scale and bias typed in. Absent: not stated.
	 */
	family?: ModelFamily;
	/**
	 * The trained logit scale (the multiplier) and, for SigLIP, bias, for folders that do not carry
	 * them (separate towers); an export's own values win. Absent: not known when the preset was written.
	 */
	logitScale?: number;
	logitBias?: number;
	embeddingSize: number;
	license: string;
	/** Of the default variant. */
	approxDownloadBytes: number;
	/** Resident memory once both towers are loaded, for the node's guidance on instance sizes. */
	approxMemoryBytes: number;
}

export class PresetError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'PresetError';
	}
}

export const DEFAULT_PRESET_ID = 'clip-vit-base-patch32';

const loadedByDirectory = new Map<string, PresetManifest[]>();

/**
 * The folder holding the manifests. From source (ts-jest, ts-node) this file is
 * engine/hub/presets.ts and the manifests are in models/; after the build it is
 * dist/engine/hub/presets.js and the build copies them to dist/models/.
 */
export function presetsDirectory(): string {
	const candidates = [join(__dirname, '..', '..', 'models'), join(__dirname, '..', 'models'), join(__dirname, '..', '..', '..', 'models')];
	const found = candidates.find((dir) => existsSync(dir) && readdirSync(dir).some((name) => name.endsWith('.json')));
	if (found === undefined) throw new PresetError(`No model presets found (looked in ${candidates.join(', ')}). Is the package installed completely?`);
	return found;
}

/** Every preset, validated, sorted by id. Synchronous so node descriptions can list them. */
export function loadPresets(directory: string = presetsDirectory()): PresetManifest[] {
	const cached = loadedByDirectory.get(directory);
	if (cached !== undefined) return cached;
	const presets = readdirSync(directory)
		.filter((name) => name.endsWith('.json'))
		.sort()
		.map((name) => {
			const file = join(directory, name);
			let parsed: unknown;
			try {
				parsed = JSON.parse(readFileSync(file, 'utf8'));
			} catch (error) {
				throw new PresetError(`Preset ${file} is not valid JSON: ${(error as Error).message}`);
			}
			return validatePresetManifest(parsed, name.slice(0, -'.json'.length));
		});
	loadedByDirectory.set(directory, presets);
	return presets;
}

export function isPresetId(id: string, directory?: string): boolean {
	return isValidPresetId(id) && loadPresets(directory).some((preset) => preset.id === id);
}

export function getPreset(id: string, directory?: string): PresetManifest {
	// Checked before any lookup: the id may come from a workflow parameter.
	if (!isValidPresetId(id)) throw new PresetError(`"${id}" is not a valid preset id (lower-case letters, digits, '.', '_' and '-').`);
	const presets = loadPresets(directory);
	const preset = presets.find((candidate) => candidate.id === id);
	if (preset === undefined) throw new PresetError(`Unknown model preset "${id}". Available presets: ${presets.map((p) => p.id).join(', ')}.`);
	return preset;
}

export function presetVariants(preset: PresetManifest): string[] {
	const tagged = preset.source.files.flatMap((file) => (file.variant === undefined ? [] : [file.variant]));
	return tagged.length === 0 ? [preset.defaultVariant] : [...new Set(tagged)].sort();
}

export function selectPresetFiles(preset: PresetManifest, variant: string): PresetFile[] {
	if (!presetVariants(preset).includes(variant)) {
		throw new PresetError(`Preset "${preset.id}" has no "${variant}" variant (available: ${presetVariants(preset).join(', ')}).`);
	}
	return preset.source.files.filter((file) => file.variant === undefined || file.variant === variant);
}

/** Checks a parsed manifest field by field; the message names the preset and the field. */
export function validatePresetManifest(value: unknown, expectedId?: string): PresetManifest {
	const where = `Preset ${expectedId ?? '(unnamed)'}`;
	const fail = (message: string): never => {
		throw new PresetError(`${where}: ${message}`);
	};
	if (!isRecord(value)) return fail('the manifest must be a JSON object');
	const id = requireString(value, 'id', fail);
	if (!isValidPresetId(id)) fail(`id "${id}" must match ^[a-z0-9][a-z0-9._-]*$`);
	if (expectedId !== undefined && id !== expectedId) fail(`id "${id}" must match the file name`);
	const title = requireString(value, 'title', fail);
	const description = requireString(value, 'description', fail);
	if (description.includes('\n')) fail('description must be a single line');
	const license = requireString(value, 'license', fail);

	const source = value.source;
	if (!isRecord(source)) return fail('source must be an object');
	const repo = requireString(source, 'repo', fail);
	if (!isValidRepoId(repo)) fail(`source.repo "${repo}" is not an owner/name repo id`);
	const revision = requireString(source, 'revision', fail);
	if (!isValidRevision(revision)) fail(`source.revision "${revision}" is not a valid revision`);
	if (source.comment !== undefined && typeof source.comment !== 'string') fail('source.comment must be a string');
	if (!Array.isArray(source.files) || source.files.length === 0) return fail('source.files must be a non-empty list');
	const files = source.files.map((file: unknown, index: number) => validateFile(file, `source.files[${index}]`, fail));
	const paths = files.map((file) => file.path);
	if (new Set(paths).size !== paths.length) fail('source.files lists a path twice');

	const layout = requireString(value, 'layout', fail);
	if (!(MODEL_LAYOUTS as readonly string[]).includes(layout)) fail(`layout must be one of ${MODEL_LAYOUTS.join(', ')}`);
	const defaultVariant = requireString(value, 'defaultVariant', fail);
	const manifest: PresetManifest = {
		id,
		title,
		description,
		source: { repo, revision, ...(typeof source.comment === 'string' ? { comment: source.comment } : {}), files },
		layout: layout as ModelLayout,
		defaultVariant,
		...(value.family !== undefined ? { family: requireFamily(value, fail) } : {}),
		...(value.logitScale !== undefined ? { logitScale: requirePositive(value, 'logitScale', fail) } : {}),
		...(value.logitBias !== undefined ? { logitBias: requireFinite(value, 'logitBias', fail) } : {}),
		embeddingSize: requirePositiveInteger(value, 'embeddingSize', fail),
		license,
		approxDownloadBytes: requirePositiveInteger(value, 'approxDownloadBytes', fail),
		approxMemoryBytes: requirePositiveInteger(value, 'approxMemoryBytes', fail),
	};
	const variants = presetVariants(manifest);
	if (!variants.includes(defaultVariant)) fail(`defaultVariant "${defaultVariant}" is not one of the variants its files name (${variants.join(', ')})`);
	for (const variant of variants) {
		const required = selectPresetFiles(manifest, variant)
			.filter((file) => !file.optional)
			.map((file) => file.path);
		if (detectLayout(required) !== manifest.layout) fail(`the files of variant "${variant}" do not form a complete ${manifest.layout} layout`);
	}
	return manifest;
}

function validateFile(value: unknown, where: string, fail: (message: string) => never): PresetFile {
	if (!isRecord(value)) return fail(`${where} must be an object`);
	const path = requireString(value, 'path', fail);
	if (!isSafeRepoFilePath(path)) fail(`${where}.path "${path}" is not a safe relative path`);
	const file: PresetFile = { path };
	if (value.variant !== undefined) {
		if (typeof value.variant !== 'string' || !isValidVariant(value.variant)) fail(`${where}.variant must be a lower-case word`);
		file.variant = value.variant as string;
	}
	if (value.optional !== undefined) {
		if (typeof value.optional !== 'boolean') fail(`${where}.optional must be a boolean`);
		file.optional = value.optional as boolean;
	}
	if (value.size !== undefined) {
		if (typeof value.size !== 'number' || !Number.isSafeInteger(value.size) || value.size < 0) fail(`${where}.size must be a byte count`);
		file.size = value.size as number;
	}
	if (value.sha256 !== undefined) {
		if (typeof value.sha256 !== 'string' || !isSha256Hex(value.sha256.toLowerCase())) fail(`${where}.sha256 must be 64 hex digits`);
		file.sha256 = (value.sha256 as string).toLowerCase();
	}
	return file;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(record: Record<string, unknown>, key: string, fail: (message: string) => never): string {
	const value = record[key];
	if (typeof value !== 'string' || value.trim() === '') return fail(`${key} must be a non-empty string`);
	return value;
}

function requireFamily(record: Record<string, unknown>, fail: (message: string) => never): ModelFamily {
	const value = record.family;
	if (value !== 'clip' && value !== 'siglip') return fail('family must be "clip" or "siglip"');
	return value;
}

function requirePositive(record: Record<string, unknown>, key: string, fail: (message: string) => never): number {
	const value = record[key];
	if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return fail(`${key} must be a positive number`);
	return value;
}

function requireFinite(record: Record<string, unknown>, key: string, fail: (message: string) => never): number {
	const value = record[key];
	if (typeof value !== 'number' || !Number.isFinite(value)) return fail(`${key} must be a number`);
	return value;
}

function requirePositiveInteger(record: Record<string, unknown>, key: string, fail: (message: string) => never): number {
	const value = requirePositive(record, key, fail);
	if (!Number.isSafeInteger(value)) fail(`${key} must be an integer`);
	return value;
}
