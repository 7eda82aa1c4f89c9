import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const PACKAGE_NAME = 'n8n-nodes-zero-shot-image-classification';

/**
 * The version in the package's package.json, read at run time so that it cannot drift from what
 * npm installed. The manifest is one folder up from cli/clip-classify.ts (ts-jest, the sources)
 * and two up from dist/cli/clip-classify.js (the build, and the installed package); its name is
 * checked so that no other package's manifest is taken for ours.
 */
export function packageVersion(): string {
	for (const candidate of [join(__dirname, '..', 'package.json'), join(__dirname, '..', '..', 'package.json')]) {
		const manifest = readManifest(candidate);
		if (manifest?.name === PACKAGE_NAME && typeof manifest.version === 'string') return manifest.version;
	}
	throw new Error(`the package.json of ${PACKAGE_NAME} was not found above ${__dirname}`);
}

function readManifest(path: string): { name?: unknown; version?: unknown } | undefined {
	try {
		const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
		return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
	} catch {
		return undefined;
	}
}
