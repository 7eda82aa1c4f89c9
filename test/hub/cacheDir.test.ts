import { join } from 'node:path';

import { resolveCacheDir } from '../../engine/hub/cacheDir';

const HOME = '/home/someone';

describe('resolveCacheDir', () => {
	it('uses the option first', () => {
		expect(resolveCacheDir('/data/models', { N8N_ZSIC_MODELS_DIR: '/env/models', N8N_USER_FOLDER: '/n8n' }, HOME)).toBe('/data/models');
	});

	it('uses N8N_ZSIC_MODELS_DIR when there is no option', () => {
		expect(resolveCacheDir(undefined, { N8N_ZSIC_MODELS_DIR: '/env/models', N8N_USER_FOLDER: '/n8n' }, HOME)).toBe('/env/models');
	});

	it('ignores an empty option', () => {
		expect(resolveCacheDir('  ', { N8N_ZSIC_MODELS_DIR: '/env/models' }, HOME)).toBe('/env/models');
	});

	it('defaults to .n8n/models inside N8N_USER_FOLDER, where n8n keeps its own data', () => {
		expect(resolveCacheDir(undefined, { N8N_USER_FOLDER: '/n8n' }, HOME)).toBe(join('/n8n', '.n8n', 'models'));
	});

	it('defaults to ~/.n8n/models without N8N_USER_FOLDER', () => {
		expect(resolveCacheDir(undefined, {}, HOME)).toBe(join(HOME, '.n8n', 'models'));
	});

	it('expands a leading ~ in the option', () => {
		expect(resolveCacheDir('~/models', {}, HOME)).toBe(join(HOME, 'models'));
	});

	it('makes a relative option absolute', () => {
		expect(resolveCacheDir('models', {}, HOME)).toBe(join(process.cwd(), 'models'));
	});
});
