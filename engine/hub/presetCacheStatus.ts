import { completeVariantFiles, modelCacheFolder, readCacheMarker } from './modelCache';
import { selectPresetFiles, type PresetManifest } from './presets';

/**
 * Whether a preset's variant (by default its default variant) is complete in the model cache:
 * every required file in place and verified, as a download would leave it. Only reads the cache;
 * what `clip-classify models` marks as "cached".
 */
export async function isPresetCached(cacheDir: string, preset: PresetManifest, variant: string = preset.defaultVariant): Promise<boolean> {
	const folder = modelCacheFolder(cacheDir, preset.source.repo, preset.source.revision);
	const required = selectPresetFiles(preset, variant)
		.filter((file) => !file.optional)
		.map((file) => file.path);
	return (await completeVariantFiles(folder, await readCacheMarker(folder), variant, required)) !== undefined;
}
