import { documentationFiles } from './documentationFiles';
import { fencedBlocks } from './fencedBlocks';
import { isRunnableBlock, isShellBlock, shellBlockMark } from './shellBlockMarks';

describe('fenced blocks in README.md and docs/', () => {
	const files = documentationFiles();
	const blocks = files.flatMap((file) => fencedBlocks(file.lines).map((block) => ({ where: `${file.path}:${block.line}`, block })));

	test('every fenced block names its language, so that no shell block can pass as plain text', () => {
		expect(blocks.filter(({ block }) => block.language === '').map(({ where }) => where)).toEqual([]);
	});

	test('every shell block is marked runnable or not-run, in its info string and visibly above it', () => {
		const unmarked = blocks
			.filter(({ block }) => isShellBlock(block))
			.map(({ where, block }) => ({ where, result: shellBlockMark(block) }))
			.flatMap(({ where, result }) => ('problem' in result ? [`${where}: ${result.problem}`] : []));
		expect(unmarked).toEqual([]);
	});

	test('the docs have runnable blocks at all (the README’s example among them)', () => {
		const runnable = blocks.filter(({ block }) => isRunnableBlock(block));
		expect(runnable.map(({ where }) => where)).toEqual(expect.arrayContaining([expect.stringMatching(/^README\.md:\d+$/)]));
	});
});

describe('reading the marks', () => {
	const parse = (page: string) => fencedBlocks(page.split('\n'))[0];

	test('a runnable block: the attribute and the ▶ quote line above it', () => {
		expect(shellBlockMark(parse('> ▶ Run by the docs tests.\n\n```sh runnable\nclip-classify models\n```'))).toEqual({ mark: 'runnable' });
	});

	test('a not-run block: the attribute and a quote saying why, over several lines and inside a list item', () => {
		const page = '1. Then:\n\n   > Not run by the docs tests: needs\n   > Docker.\n\n   ```sh not-run\n   docker ps\n   ```';
		expect(shellBlockMark(parse(page))).toEqual({ mark: 'notRun' });
		expect(parse(page).content).toBe('docker ps');
	});

	test('a block run against a real n8n: the n8n attribute and its own quote line', () => {
		expect(shellBlockMark(parse('> ▶ Run by the e2e tests against a real n8n with the example active.\n\n```sh n8n\ncurl -s "$N8N_URL"\n```'))).toEqual({ mark: 'n8n' });
		expect(shellBlockMark(parse('> ▶ Run by the docs tests.\n\n```sh n8n\ncurl -s "$N8N_URL"\n```'))).toHaveProperty('problem');
	});

	test('an attribute without its visible line, a quote without a reason, or no attribute is refused', () => {
		expect(shellBlockMark(parse('```sh runnable\nls\n```'))).toHaveProperty('problem');
		expect(shellBlockMark(parse('> Not run by the docs tests:\n```sh not-run\nls\n```'))).toHaveProperty('problem');
		expect(shellBlockMark(parse('> ▶ Run by the docs tests.\n```sh\nls\n```'))).toHaveProperty('problem');
		expect(shellBlockMark(parse('> ▶ Run by the docs tests.\n```sh runnable not-run\nls\n```'))).toHaveProperty('problem');
	});
});
