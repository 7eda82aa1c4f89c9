import { join } from 'node:path';

import { parseModelRef } from '../../engine/hub/modelRef';

const HOME = '/home/someone';

describe('parseModelRef', () => {
	it('reads an absolute path as a local folder', () => {
		expect(parseModelRef('/models/clip', HOME)).toEqual({ kind: 'local', folder: '/models/clip' });
	});

	it('reads a path starting with . as a local folder relative to the working directory', () => {
		expect(parseModelRef('./models/clip', HOME)).toEqual({ kind: 'local', folder: join(process.cwd(), 'models/clip') });
	});

	it('reads a path starting with ~ as a local folder in the home directory', () => {
		expect(parseModelRef('~/models/clip', HOME)).toEqual({ kind: 'local', folder: join(HOME, 'models/clip') });
	});

	it('reads a path with .. as a local folder, never as a preset', () => {
		expect(parseModelRef('../../etc', HOME).kind).toBe('local');
	});

	it('reads a bare lower-case id as a preset', () => {
		expect(parseModelRef('clip-vit-base-patch32', HOME)).toEqual({ kind: 'preset', id: 'clip-vit-base-patch32' });
	});

	it('reads owner/name as a Hub repo at main', () => {
		expect(parseModelRef('Xenova/clip-vit-base-patch16', HOME)).toEqual({ kind: 'hub', repo: 'Xenova/clip-vit-base-patch16', revision: 'main' });
	});

	it('reads owner/name@revision as a Hub repo at that revision', () => {
		expect(parseModelRef('Xenova/clip-vit-base-patch16@refs/pr/3', HOME)).toEqual({ kind: 'hub', repo: 'Xenova/clip-vit-base-patch16', revision: 'refs/pr/3' });
	});

	it('ignores surrounding whitespace', () => {
		expect(parseModelRef('  clip-vit-base-patch32 ', HOME)).toEqual({ kind: 'preset', id: 'clip-vit-base-patch32' });
	});

	it.each(['owner/na..me', 'owner/name/extra', 'a b/c', 'owner/-name'])('refuses the malformed repo id %p', (ref) => {
		expect(() => parseModelRef(ref, HOME)).toThrow(/not a Hugging Face repo id/);
	});

	it('refuses a revision climbing out of its folder', () => {
		expect(() => parseModelRef('owner/name@../x', HOME)).toThrow(/not a valid revision/);
	});

	it('refuses an id that is neither a preset id nor a repo', () => {
		expect(() => parseModelRef('Clip Model', HOME)).toThrow(/neither a preset id/);
	});

	it('refuses an empty reference', () => {
		expect(() => parseModelRef('  ', HOME)).toThrow(/No model given/);
	});
});
