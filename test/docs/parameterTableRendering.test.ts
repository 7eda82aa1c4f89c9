/** How a node description becomes the Markdown table of one operation's parameters. */
import type { INodeProperties } from 'n8n-workflow';
import { parameterTable } from '../../scripts/docs/parameterTables';

const links = { docsBaseUrl: 'https://docs.example/pkg@1.0.0/docs/' };

const properties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Classify', value: 'classify' },
			{ name: 'Embed Text', value: 'embedText' },
		],
		default: 'classify',
	},
	{
		displayName: 'Model',
		name: 'model',
		type: 'options',
		options: [
			{ name: 'Small', value: 'small', description: 'Fast' },
			{ name: 'Folder', value: 'custom' },
		],
		default: 'small',
		description: 'Which model. See <a href="https://docs.example/pkg@1.0.0/docs/models.md#presets">the presets</a>.',
	},
	{
		displayName: 'Folder',
		name: 'folder',
		type: 'string',
		default: '',
		description: 'A path | or a repo',
		displayOptions: { show: { model: ['custom'] } },
	},
	{
		displayName: 'Classes',
		name: 'classes',
		type: 'string',
		default: 'a\nb',
		displayOptions: { show: { operation: ['classify'] } },
	},
	{
		displayName: 'Set the scale under Options.',
		name: 'scaleNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { operation: ['classify'], model: ['small'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		default: {},
		displayOptions: { show: { operation: ['classify'] } },
		options: [{ displayName: 'Batch Size', name: 'batchSize', type: 'number', typeOptions: { minValue: 1, maxValue: 8 }, default: 4, description: 'Images per run' }],
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		default: '',
		displayOptions: { show: { operation: ['embedText'] } },
	},
];

const table = (operation: string) => parameterTable(operation, properties, links).split('\n');
const row = (operation: string, start: string) => table(operation).find((line) => line.startsWith(`| **${start}**`));

test('a table has one row per parameter the operation shows, in the editor’s order, without the operation selector', () => {
	expect(table('classify').slice(2).map((line) => line.split(' | ')[0])).toEqual([
		'| **Model** `model`',
		'| **Folder** `folder`',
		'| **Classes** `classes`',
		'| **(notice)**',
		'| **Options** `options`',
		'| **Options › Batch Size** `batchSize`',
	]);
	expect(table('embedText').slice(2).map((line) => line.split(' | ')[0])).toEqual(['| **Model** `model`', '| **Folder** `folder`', '| **Text** `text`']);
});

test('"Shown when" says the condition in the editor’s words, and "always" when there is none', () => {
	expect(row('classify', 'Folder')).toContain('| Model is Folder |');
	expect(row('classify', 'Classes')).toContain('| always |');
});

test('"Shown when" words hide conditions, comparisons and a collection option’s path, one condition a line', () => {
	const notice: INodeProperties = {
		displayName: 'Set the batch size.',
		name: 'batchNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { operation: ['classify'] }, hide: { model: ['custom', { _cnd: { regex: '^=' } }], 'options.batchSize': [{ _cnd: { gt: 2 } }] } },
	};
	expect(parameterTable('classify', [...properties, notice], links)).toContain(
		'| **(notice)** | notice |  | Model is none of: Folder, an expression<br>and Options › Batch Size is not above `2` | Set the batch size. |',
	);
});

test('an options parameter shows its default by name and lists its choices with their values', () => {
	expect(row('classify', 'Model')).toBe(
		'| **Model** `model` | options | Small | always | Which model. See [the presets](models.md#presets).<br>`small` Small: Fast<br>`custom` Folder |',
	);
});

test('links to the docs base become relative links to the sibling page', () => {
	expect(row('classify', 'Model')).toContain('[the presets](models.md#presets)');
});

test('links to sections of the page the table is in stay on that page', () => {
	const linked: INodeProperties = { displayName: 'Classes', name: 'classes', type: 'string', default: '', description: 'Names. <a href="https://docs.example/pkg@1.0.0/docs/usage.md#classify">Classes</a>.' };
	expect(parameterTable('classify', [linked], { ...links, page: 'usage.md' })).toContain('Names. [Classes](#classify).');
});

test('collection options are rows under their collection, with their type range and default', () => {
	expect(row('classify', 'Options › Batch Size')).toBe('| **Options › Batch Size** `batchSize` | number (≥ 1, ≤ 8) | `4` | always | Images per run |');
});

test('a notice is a row whose description is the notice text', () => {
	expect(row('classify', '(notice)')).toBe('| **(notice)** | notice |  | Model is Small | Set the scale under Options. |');
});

test('pipes and line breaks cannot break the table', () => {
	expect(row('classify', 'Folder')).toContain('A path \\| or a repo');
	expect(row('classify', 'Classes')).toContain('`a`<br>`b`');
});
