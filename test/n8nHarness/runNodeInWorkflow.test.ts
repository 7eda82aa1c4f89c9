import { WorkflowHasIssuesError } from 'n8n-core';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import { INPUT_NODE_NAME, readBinary, runNodeInWorkflow } from './runNodeInWorkflow';
import type { HarnessItem } from './runNodeInWorkflow';

/**
 * A node shaped like a real binary-processing node: per item it resolves its parameters, reads
 * the binary through n8n's helpers, writes a new binary, and on failure either throws a
 * NodeOperationError with the item index or, with continueOnFail, emits an error item.
 */
class ProbeNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Harness Probe',
		name: 'harnessProbe',
		group: ['transform'],
		version: [1, 2],
		description: 'Test node for the n8n harness specifications',
		defaults: { name: 'Harness Probe' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [{ name: 'probeApi', required: false }],
		properties: [
			{ displayName: 'Input Binary Field', name: 'binaryPropertyName', type: 'string', default: 'data' },
			{ displayName: 'Label', name: 'label', type: 'string', default: '' },
			{ displayName: 'Use Credentials', name: 'useCredentials', type: 'boolean', default: false },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			try {
				const label = this.getNodeParameter('label', i) as string;
				if (label === 'bad') {
					throw new NodeOperationError(this.getNode(), `Item ${i} is labelled bad`, {
						itemIndex: i,
						description: 'Bad items are rejected by the probe',
					});
				}
				const property = this.getNodeParameter('binaryPropertyName', i) as string;
				const meta = this.helpers.assertBinaryData(i, property);
				const buffer = await this.helpers.getBinaryDataBuffer(i, property);
				const json: IDataObject = {
					label,
					length: buffer.length,
					mimeType: meta.mimeType,
					fileName: meta.fileName ?? null,
					typeVersion: this.getNode().typeVersion,
				};
				if (this.getNodeParameter('useCredentials', i) as boolean) {
					json.apiKey = (await this.getCredentials('probeApi', i)).apiKey as string;
				}
				const upper = Buffer.from(buffer.toString('utf8').toUpperCase(), 'utf8');
				out.push({
					json,
					binary: { out: await this.helpers.prepareBinaryData(upper, 'upper.txt', 'text/plain') },
					pairedItem: { item: i },
				});
			} catch (error) {
				if (this.continueOnFail()) {
					out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
					continue;
				}
				throw error;
			}
		}
		return [out];
	}
}

const text = (content: string, fileName?: string): HarnessItem['binary'] => ({
	data: { data: Buffer.from(content, 'utf8'), mimeType: 'text/plain', fileName },
});

const threeItems: HarnessItem[] = [
	{ json: { name: 'alpha' }, binary: text('one', 'a.txt') },
	{ json: { name: 'bad' }, binary: text('two') },
	{ json: { name: 'gamma' }, binary: text('three', 'c.txt') },
];

describe('runNodeInWorkflow (n8n-core WorkflowExecute, in-process)', () => {
	it('delivers the items and their binaries, and returns output binaries readable', async () => {
		const result = await runNodeInWorkflow({
			nodeType: new ProbeNode(),
			parameters: { label: 'x' },
			items: [
				{ json: { name: 'alpha' }, binary: text('hello', 'hello.txt') },
				{ json: { name: 'beta' }, binary: text('héllo wörld') },
			],
		});

		expect(result.error).toBeUndefined();
		expect(result.run?.status).toBe('success');
		expect(result.run?.finished).toBe(true);
		expect(result.nodeExecutionOrder).toEqual([INPUT_NODE_NAME, 'Node Under Test']);
		expect(result.items.map((item) => item.json)).toEqual([
			{ label: 'x', length: 5, mimeType: 'text/plain', fileName: 'hello.txt', typeVersion: 2 },
			{ label: 'x', length: 'héllo wörld'.length + 2, mimeType: 'text/plain', fileName: null, typeVersion: 2 },
		]);
		expect(result.binaries.map((b) => b.out.toString('utf8'))).toEqual(['HELLO', 'HÉLLO WÖRLD']);
		expect(result.items[0].binary?.out).toMatchObject({ mimeType: 'text/plain', fileName: 'upper.txt' });
		await expect(readBinary(result.items[1].binary!.out)).resolves.toEqual(result.binaries[1].out);
	});

	it('stores the input binaries the way n8n does (prepareBinaryData in default mode)', async () => {
		const result = await runNodeInWorkflow({
			nodeType: new ProbeNode(),
			parameters: {},
			items: [{ json: {}, binary: text('abc', 'x.txt') }],
		});
		const input = result.run?.data.resultData.runData[INPUT_NODE_NAME][0].data?.main[0]?.[0];
		expect(input?.binary?.data).toMatchObject({
			data: Buffer.from('abc').toString('base64'),
			mimeType: 'text/plain',
			fileName: 'x.txt',
			fileExtension: 'txt',
			fileSize: '3 B',
		});
	});

	it('fills parameter defaults and resolves expressions per item', async () => {
		const result = await runNodeInWorkflow({
			nodeType: new ProbeNode(),
			typeVersion: 1,
			parameters: { label: "={{ $json.name.toUpperCase() + '#' + $itemIndex }}" },
			items: [
				{ json: { name: 'alpha' }, binary: text('1') },
				{ json: { name: 'beta' }, binary: text('22') },
			],
		});
		expect(result.items.map((item) => [item.json.label, item.json.length, item.json.typeVersion])).toEqual([
			['ALPHA#0', 1, 1],
			['BETA#1', 2, 1],
		]);
	});

	it('resolves expressions that follow pairedItem back to the input node', async () => {
		const result = await runNodeInWorkflow({
			nodeType: new ProbeNode(),
			parameters: { label: `={{ $('${INPUT_NODE_NAME}').item.json.name }}` },
			items: [
				{ json: { name: 'first' }, binary: text('a') },
				{ json: { name: 'second' }, binary: text('b') },
			],
		});
		expect(result.items.map((item) => item.json.label)).toEqual(['first', 'second']);
	});

	it('keeps the pairedItem the node sets on its outputs', async () => {
		const result = await runNodeInWorkflow({
			nodeType: new ProbeNode(),
			parameters: {},
			items: threeItems.filter((item) => item.json.name !== 'bad'),
		});
		expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('with continueOnFail on, turns the failing item into an error item and keeps the others', async () => {
		const result = await runNodeInWorkflow({
			nodeType: new ProbeNode(),
			parameters: { label: '={{ $json.name }}' },
			items: threeItems,
			continueOnFail: true,
		});

		expect(result.error).toBeUndefined();
		expect(result.run?.status).toBe('success');
		expect(result.items.map((item) => item.json)).toEqual([
			expect.objectContaining({ label: 'alpha', length: 3 }),
			{ error: 'Item 1 is labelled bad' },
			expect.objectContaining({ label: 'gamma', length: 5 }),
		]);
		expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(result.binaries.map((b) => b.out?.toString('utf8'))).toEqual(['ONE', undefined, 'THREE']);
	});

	it("uses n8n-core's real binary helpers (assertBinaryData reports a missing binary per item)", async () => {
		const result = await runNodeInWorkflow({
			nodeType: new ProbeNode(),
			parameters: {},
			items: [{ json: {}, binary: text('ok') }, { json: {} }],
			continueOnFail: true,
		});
		expect(result.items[1].json).toEqual({
			error: "This operation expects the node's input data to contain a binary file 'data', but none was found [item 1]",
		});
	});

	it('with continueOnFail off, surfaces the NodeOperationError with message, description and itemIndex', async () => {
		const result = await runNodeInWorkflow({
			nodeType: new ProbeNode(),
			parameters: { label: '={{ $json.name }}' },
			items: threeItems,
		});

		expect(result.items).toEqual([]);
		expect(result.error).toBeInstanceOf(NodeOperationError);
		const error = result.error as NodeOperationError;
		expect(error.message).toBe('Item 1 is labelled bad');
		expect(error.description).toBe('Bad items are rejected by the probe');
		expect(error.context.itemIndex).toBe(1);
		expect(error.node?.name).toBe('Node Under Test');

		// What n8n itself recorded for the run: the same error, serialized.
		expect(result.run?.status).toBe('error');
		expect(result.run?.data.resultData.lastNodeExecuted).toBe('Node Under Test');
		expect(result.run?.data.resultData.error).toMatchObject({
			message: 'Item 1 is labelled bad',
			description: 'Bad items are rejected by the probe',
			context: { itemIndex: 1 },
		});
	});

	it('serves the given credentials through getCredentials', async () => {
		const result = await runNodeInWorkflow({
			nodeType: new ProbeNode(),
			parameters: { useCredentials: true },
			items: [{ json: {}, binary: text('k') }],
			credentials: { probeApi: { apiKey: 'secret-123' } },
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.apiKey).toBe('secret-123');
	});

	it('leaves the caller’s parameters and items untouched', async () => {
		const parameters = { label: '={{ $json.name }}' };
		const items: HarnessItem[] = [{ json: { name: 'n' }, binary: text('z') }];
		await runNodeInWorkflow({ nodeType: new ProbeNode(), parameters, items });
		expect(parameters).toEqual({ label: '={{ $json.name }}' });
		expect(items[0].json).toEqual({ name: 'n' });
	});

	it('refuses, like n8n, to run a node whose required parameters are missing', async () => {
		const strict = new ProbeNode();
		strict.description = {
			...strict.description,
			properties: [
				...strict.description.properties,
				{ displayName: 'Mode', name: 'mode', type: 'string', default: '', required: true },
			],
		};
		const result = await runNodeInWorkflow({ nodeType: strict, parameters: {}, items: [{ json: {} }] });
		expect(result.error).toBeInstanceOf(WorkflowHasIssuesError);
		expect((result.error as WorkflowHasIssuesError).description).toContain('Parameter \\"Mode\\" is required');
		expect(result.run).toBeUndefined();
		expect(result.items).toEqual([]);
	});
});
