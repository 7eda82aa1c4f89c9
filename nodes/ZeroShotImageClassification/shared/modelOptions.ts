import type { INodePropertyOptions } from 'n8n-workflow';
import { DEFAULT_PRESET_ID, formatBytes, loadPresets } from '../../../engine/hub';

/** Value of the model dropdown that reveals the free-text model field. */
export const CUSTOM_MODEL = 'custom';

/** The model dropdown: the presets in models/*.json, then "custom" (a folder or any Hub repo). */
export function modelOptions(): INodePropertyOptions[] {
	let presets: INodePropertyOptions[] = [];
	try {
		presets = loadPresets().map((preset) => ({
			name: `${preset.title} (~${formatBytes(preset.approxDownloadBytes)})`,
			value: preset.id,
			description: preset.description,
		}));
	} catch {
		// A broken manifest must not stop n8n from loading the node; the folder option still works.
	}
	presets.sort((a, b) => (a.value === DEFAULT_PRESET_ID ? -1 : b.value === DEFAULT_PRESET_ID ? 1 : a.name.localeCompare(b.name)));
	return [...presets, { name: 'Local Folder or Hugging Face Repo', value: CUSTOM_MODEL, description: 'A CLIP export on disk, or any Hub repo in a supported layout' }];
}
