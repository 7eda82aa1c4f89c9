/**
 * The workflows the API bench runs in one n8n: the shipped feature-extraction API (data table
 * store) with the bench's models, and two baselines beside it.
 *
 * - "Node alone": a webhook answering when this package's Classify node has classified the
 *   images of the request. The Classify node is the API workflow's own (same parameters, same
 *   batch size), fed the same `job` item shape, so it does the same work on the same images; what
 *   the API adds on top (validation, the job store, answering before the run, the polls) is what
 *   the comparison measures. The answer also carries the time from just before the node to just
 *   after it, measured inside n8n: the node's own time, without HTTP and without the webhook.
 * - "Trivial webhook": webhook → respond, nothing else: what any n8n request costs on this machine.
 */
import type { Workflow } from '../../test/e2e/n8nRunner';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runner = require('../../test/e2e/n8nRunner') as typeof import('../../test/e2e/n8nRunner');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const examples = require('../../scripts/exampleWorkflows') as {
	loadExample(name: 'featureExtractionApi'): Workflow;
	withApiSettings<W>(workflow: W, settings: Record<string, unknown>): W;
	PACKAGE_NAME: string;
};

export const NODE_ALONE_PATH = 'bench-node-alone';
export const TRIVIAL_PATH = 'bench-trivial';

/** What the node-alone webhook answers. */
export interface NodeAloneAnswer {
	/** Milliseconds from just before the Classify node to just after it, inside n8n. */
	nodeMs: number;
	output?: unknown;
	error?: unknown;
}

type WorkflowNode = Record<string, unknown> & { name: string };

/** The shipped API workflow with only its model map set, its node types renamed for N8N_CUSTOM_EXTENSIONS. */
export function apiBenchWorkflow(models: Readonly<Record<string, string>>): Workflow {
	const shipped = examples.loadExample('featureExtractionApi');
	return runner.rewriteNodeTypes(examples.withApiSettings(shipped, { models: { ...models } }), examples.PACKAGE_NAME, runner.CUSTOM_PACKAGE_NAME);
}

function webhookNode(name: string, path: string): WorkflowNode {
	return {
		id: `${path}-trigger`,
		name,
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2.1,
		position: [0, 0],
		webhookId: path,
		parameters: { httpMethod: 'POST', path, responseMode: 'responseNode', options: {} },
	};
}

function respondNode(name: string, body: string): WorkflowNode {
	return { id: `${name}-respond`, name, type: 'n8n-nodes-base.respondToWebhook', typeVersion: 1.4, position: [780, 0], parameters: { respondWith: 'json', responseBody: body, options: { responseCode: 200 } } };
}

/** Chains the nodes in order; `both` also links a node's error output (continueErrorOutput). */
function chain(names: string[], both: Set<string>): Record<string, unknown> {
	const connections: Record<string, { main: Array<Array<{ node: string; type: string; index: number }>> }> = {};
	for (let i = 0; i + 1 < names.length; i++) {
		const next = [{ node: names[i + 1], type: 'main', index: 0 }];
		connections[names[i]] = { main: both.has(names[i]) ? [next, next] : [next] };
	}
	return connections;
}

/**
 * POST {model, image, classes} → the API workflow's Classify node → {nodeMs, output | error}.
 * `image` is one data URL or a list of them, as in the API's single and batched jobs.
 */
export function nodeAloneWorkflow(api: Workflow, models: Readonly<Record<string, string>>): Workflow {
	const classify = api.nodes.find((node) => node.name === 'Classify') as WorkflowNode | undefined;
	if (!classify) throw new Error(`"${String(api.name)}" has no Classify node`);
	const job = {
		id: 'bench-node-alone-job',
		name: 'Job',
		type: 'n8n-nodes-base.set',
		typeVersion: 3.4,
		position: [260, 0],
		parameters: {
			assignments: {
				assignments: [
					// The item shape the API's Classify node reads: job.run (the model folder) and job.input.
					{ id: 'job', name: 'job', type: 'object', value: `={{ { run: ${JSON.stringify(models)}[$json.body.model], input: { image: $json.body.image, classes: $json.body.classes, config: {} } } }}` },
					{ id: 'startedAt', name: 'startedAt', type: 'number', value: '={{ Date.now() }}' },
				],
			},
			options: {},
		},
	};
	const nodes = [
		webhookNode('POST node alone', NODE_ALONE_PATH),
		job,
		{ ...classify, position: [520, 0] },
		respondNode('Answer', "={{ { nodeMs: Date.now() - $('Job').item.json.startedAt, output: $json.output, error: $json.error } }}"),
	];
	return {
		id: 'ZsicBenchNodeAln',
		name: 'Bench: the Classify node alone',
		nodes,
		connections: chain(['POST node alone', 'Job', 'Classify', 'Answer'], new Set(['Classify'])),
		settings: { executionOrder: 'v1', saveDataSuccessExecution: 'none', saveDataErrorExecution: 'all', saveManualExecutions: true },
		pinData: {},
		active: false,
		tags: [],
	};
}

/** POST anything → {ok: true}. */
export function trivialWorkflow(): Workflow {
	return {
		id: 'ZsicBenchTrivial',
		name: 'Bench: trivial webhook',
		nodes: [webhookNode('POST trivial', TRIVIAL_PATH), respondNode('Answer', '={{ { ok: true } }}')],
		connections: chain(['POST trivial', 'Answer'], new Set()),
		settings: { executionOrder: 'v1', saveDataSuccessExecution: 'none', saveDataErrorExecution: 'all', saveManualExecutions: true },
		pinData: {},
		active: false,
		tags: [],
	};
}
