import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { importsPastSurfaces } from './importsPastSurfaces';

const PROJECT_ROOT = resolve(__dirname, '..', '..');

describe('public surfaces of the engine', () => {
	test('cli/ and nodes/ import the engine only through engine/index.ts and engine/hub/index.ts', () => {
		expect(importsPastSurfaces(PROJECT_ROOT, ['cli', 'nodes'])).toEqual([]);
	});

	test('a deep import, re-export, dynamic import or require is reported with its file and specifier', () => {
		const root = mkdtempSync(join(tmpdir(), 'zsic-surfaces-'));
		mkdirSync(join(root, 'cli'));
		mkdirSync(join(root, 'engine', 'hub'), { recursive: true });
		writeFileSync(
			join(root, 'cli', 'command.ts'),
			[
				"import { withModel } from '../engine';",
				"import { downloadModel } from '../engine/hub';",
				"import { formatBytes } from '../engine/hub/index';",
				"import { modelCacheFolder } from '../engine/hub/modelCache';",
				"export { ClipModel } from '../engine/model/clipModel';",
				"const lazy = () => import('../engine/onnx/onnxBackend');",
				"const errors = require('../engine/errors');",
				"import { parseArgs } from 'node:util';",
			].join('\n'),
		);

		expect(importsPastSurfaces(root, ['cli'])).toEqual([
			{ file: 'cli/command.ts', specifier: '../engine/hub/modelCache' },
			{ file: 'cli/command.ts', specifier: '../engine/model/clipModel' },
			{ file: 'cli/command.ts', specifier: '../engine/onnx/onnxBackend' },
			{ file: 'cli/command.ts', specifier: '../engine/errors' },
		]);
	});
});
