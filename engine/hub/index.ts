// The download manager's public surface, for the node and the CLI.
export { resolveModelFolder, downloadModel, type ResolveModelOptions, type ResolvedModel } from './resolveModel';
export { loadPresets, getPreset, presetVariants, DEFAULT_PRESET_ID, PresetError, type PresetManifest, type PresetFile } from './presets';
export { resolveCacheDir } from './cacheDir';
export { HubError, type HubErrorCode } from './hubErrors';
export type { DownloadProgress } from './downloadProgress';
export { DEFAULT_DOWNLOAD_LIMITS, DOWNLOAD_LIMIT_ENV, resolveDownloadLimits, type DownloadLimits } from './downloadLimits';
export type { ModelLayout } from './modelLayout';
export { formatBytes, formatRate } from './byteFormat';
