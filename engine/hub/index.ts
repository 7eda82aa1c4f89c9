/**
 * The download manager's public surface: the only part of engine/hub/ that the node (nodes/) and the
 * CLI (cli/) may import (eslint.config.mjs and test/architecture/publicSurfaces.test.ts enforce it).
 * Everything else in this folder (the cache layout, locks, the HTTP client, the watchdog) can change
 * without touching them.
 */

// Getting a model: resolve a preset, Hub repo or folder to a local folder (downloading when
// allowed), or only download it (`clip-classify download`).
export { resolveModelFolder, downloadModel, type ResolveModelOptions, type ResolvedModel } from './resolveModel';
export type { ModelLayout } from './modelLayout';
export { HubError, type HubErrorCode } from './hubErrors';
// What a model reference designates (a local folder, a preset, a Hub repo), e.g. to check a typed folder first.
export { parseModelRef, type ModelRef } from './modelRef';

// The presets: the node's model list, `clip-classify models`, and checking a preset id typed into
// an expression before anything touches the cache.
export { loadPresets, getPreset, presetVariants, DEFAULT_PRESET_ID, PresetError, type PresetManifest, type PresetFile } from './presets';
export { isValidPresetId } from './hubNames';

// The model cache as users see it: where it is and whether a preset is already in it.
export { resolveCacheDir } from './cacheDir';
export { isPresetCached } from './presetCacheStatus';

// Download limits and progress, for the CLI's help text and progress bar and the node's log lines.
export type { DownloadProgress } from './downloadProgress';
export { DEFAULT_DOWNLOAD_LIMITS, DOWNLOAD_LIMIT_ENV, resolveDownloadLimits, type DownloadLimits } from './downloadLimits';
export { formatBytes, formatRate } from './byteFormat';
