import { DEFAULT_PRESET_ID, formatBytes, isPresetCached, loadPresets, presetVariants, resolveCacheDir, type PresetManifest } from '../engine/hub';
import type { CommandIO } from './commandIO';
import { parseCommandLine } from './parseCommandLine';

export const MODELS_USAGE = `Usage: clip-classify models [--cache-dir <dir>] [--json]

Lists the model presets with their download size, memory needs and description, and
whether they are already in the model cache.
`;

/** `clip-classify models`; `argv` holds the arguments after `models`. Exit codes: 0, or 2 on a usage error. */
export async function runModelsCommand(argv: string[], io: CommandIO): Promise<number> {
	let parsed;
	try {
		parsed = parseCommandLine({
			args: argv,
			strict: true,
			options: { 'cache-dir': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
		});
	} catch (error) {
		io.stderr.write(`error: ${(error as Error).message}\n\n${MODELS_USAGE}`);
		return 2;
	}
	if (parsed.values.help) {
		io.stdout.write(MODELS_USAGE);
		return 0;
	}
	const cacheDir = resolveCacheDir(parsed.values['cache-dir']);
	const rows = await Promise.all(loadPresets().map(async (preset) => ({ preset, cached: await isPresetCached(cacheDir, preset) })));

	if (parsed.values.json) {
		const json = rows.map(({ preset, cached }) => ({ ...preset, default: preset.id === DEFAULT_PRESET_ID, variants: presetVariants(preset), cached }));
		io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
		return 0;
	}
	const idWidth = Math.max(...rows.map(({ preset }) => label(preset).length));
	const lines = rows.map(({ preset, cached }) => {
		const facts = `${formatBytes(preset.approxDownloadBytes)} download, ~${formatBytes(preset.approxMemoryBytes)} RAM, variants: ${presetVariants(preset).join('/')}${cached ? ', cached' : ''}`;
		return `  ${label(preset).padEnd(idWidth)}  ${facts}\n  ${' '.repeat(idWidth)}  ${preset.title}: ${preset.description}\n`;
	});
	io.stdout.write(`Model presets (cache: ${cacheDir}):\n\n${lines.join('\n')}\nAny Hub repo in a supported layout also works as owner/name[@revision].\n`);
	return 0;
}

function label(preset: PresetManifest): string {
	return preset.id === DEFAULT_PRESET_ID ? `${preset.id} (default)` : preset.id;
}
