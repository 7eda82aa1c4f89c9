/**
 * Runs one node inside n8n's own execution engine, in-process, for jest.
 *
 * The workflow is `Input -> <node under test>`: `Input` is a tiny node type that emits the
 * caller's items, storing their binaries through `this.helpers.prepareBinaryData` so they live
 * in n8n's BinaryDataService exactly like binaries produced by a real upstream node. The run goes
 * through `WorkflowExecute.run` (n8n-core) on a real `Workflow` (n8n-workflow), so the node
 * under test gets the `ExecuteContext` n8n builds: real parameter resolution with defaults and
 * expressions, binary helpers, `continueOnFail`, pairedItem bookkeeping, credential checks.
 *
 * Built the way n8n's own node tests are (packages/core/nodes-testing/node-test-harness.ts), for
 * the installed n8n-core 1.122.x / n8n-workflow 1.120.x.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { GlobalConfig, InstanceSettingsConfig } from '@n8n/config';
import { Container } from '@n8n/di';
import {
	BinaryDataConfig,
	BinaryDataService,
	ExecutionLifecycleHooks,
	ExternalSecretsProxy,
	InstanceSettings,
	WorkflowExecute,
	WorkflowHasIssuesError,
} from 'n8n-core';
// Not re-exported by n8n-core's index; n8n's own harness imports engine internals from dist too.
import { SSHClientsManager } from 'n8n-core/dist/execution-engine/ssh-clients-manager';
import {
	ICredentialsHelper,
	NodeConnectionTypes,
	NodeHelpers,
	Workflow,
	createDeferredPromise,
} from 'n8n-workflow';
import type {
	IBinaryData,
	IConnections,
	ICredentialDataDecryptedObject,
	ICredentials,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INode,
	INodeCredentials,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypes,
	IRun,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';

export interface HarnessBinary {
	data: Buffer;
	mimeType: string;
	fileName?: string;
}

export interface HarnessItem {
	json: IDataObject;
	binary?: Record<string, HarnessBinary>;
}

export interface RunNodeInWorkflowOptions {
	/** The node class instance under test. */
	nodeType: INodeType;
	/** Registered type name; n8n prefixes community nodes with their package name. */
	nodeTypeName?: string;
	/** Defaults to `description.defaultVersion`, else the highest of `description.version`. */
	typeVersion?: number;
	/** Name of the node in the workflow (what `$('…')` and error messages refer to). */
	nodeName?: string;
	/** Stored node parameters; n8n fills in defaults and resolves `={{ … }}` per item. */
	parameters: INodeParameters;
	/** Items emitted by the upstream `Input` node. */
	items: HarnessItem[];
	/** Sets the node setting `onError: 'continueRegularOutput'` (what `continueOnFail()` reads). */
	continueOnFail?: boolean;
	/** The node's "On Error" setting; wins over `continueOnFail`. `continueErrorOutput` adds n8n's error output. */
	onError?: INode['onError'];
	/** Decrypted credential data by credential type name; each is attached to the node. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Defaults to 'manual', the mode of an editor "Execute workflow" click. */
	mode?: WorkflowExecuteMode;
}

export interface RunNodeInWorkflowResult {
	/** Output 0 of the node under test, as n8n recorded it in the run data. */
	items: INodeExecutionData[];
	/** Every output of the node under test. */
	outputs: INodeExecutionData[][];
	/** Per item of `items`: its binaries read back through n8n's BinaryDataService. */
	binaries: Array<Record<string, Buffer>>;
	/**
	 * Set when the run failed. When the node under test threw, this is the very instance it threw
	 * (n8n itself only keeps a spread copy of it in `run.data.resultData.error`), so
	 * `instanceof NodeOperationError`, `description` and `context.itemIndex` work as thrown.
	 */
	error?: Error;
	/** The full IRun as WorkflowExecute returned it; absent when the engine refused to start. */
	run?: IRun;
	/** Node names in the order `nodeExecuteAfter` fired. */
	nodeExecutionOrder: string[];
}

export const INPUT_NODE_NAME = 'Input';
const INPUT_NODE_TYPE = 'CUSTOM.harnessInput';
const DEFAULT_NODE_NAME = 'Node Under Test';

let setupPromise: Promise<void> | undefined;
let executionCounter = 0;

/**
 * One-time wiring of the DI container per jest module registry (i.e. per test file): n8n-core
 * resolves InstanceSettings, BinaryDataService, ErrorReporter, Logger… from `Container` deep inside
 * node execution, so they must exist before the first run.
 */
export async function setupN8nCore(): Promise<void> {
	setupPromise ??= doSetup();
	return await setupPromise;
}

async function doSetup(): Promise<void> {
	// Quiet by default: the engine logs every node error through the Logger, which would flood
	// test output for the deliberate failures. N8N_LOG_LEVEL still wins when set.
	if (process.env.N8N_LOG_LEVEL === undefined) {
		Container.get(GlobalConfig).logging.level = 'silent';
	}

	// InstanceSettings writes a settings file into its n8n folder on construction; point it at a
	// throwaway directory so tests never touch (or depend on) the developer's ~/.n8n. The file is
	// only read in that constructor, so the folder can go right away instead of piling up in /tmp.
	const n8nFolder = mkdtempSync(path.join(tmpdir(), 'n8n-node-harness-'));
	try {
		Object.assign(Container.get(InstanceSettingsConfig), {
			n8nFolder,
			userHome: n8nFolder,
			encryptionKey: randomBytes(24).toString('base64'),
			enforceSettingsFilePermissions: false,
		});
		Container.get(InstanceSettings);
	} finally {
		rmSync(n8nFolder, { recursive: true, force: true });
	}

	// 'default' mode keeps binaries in memory (base64 in the item), which is n8n's out-of-the-box
	// setting; pinned here so an N8N_DEFAULT_BINARY_DATA_MODE in the environment cannot change it.
	Object.assign(Container.get(BinaryDataConfig), { mode: 'default', availableModes: [] });
	await Container.get(BinaryDataService).init();

	// Every ExecuteContext resolves SSHClientsManager, whose constructor starts a referenced
	// 60 s setInterval meant for a long-lived server; it would keep jest from exiting. Stopping
	// only clears that stale-connection sweep, the manager itself keeps working.
	Container.get(SSHClientsManager).onShutdown();
}

/** Reads a binary the way a node would, through n8n's BinaryDataService. */
export async function readBinary(binary: IBinaryData): Promise<Buffer> {
	await setupN8nCore();
	return await Container.get(BinaryDataService).getAsBuffer(binary);
}

class HarnessNodeTypes implements INodeTypes {
	constructor(private readonly types: Record<string, INodeType | IVersionedNodeType>) {}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const type = this.types[nodeType];
		if (type === undefined) throw new Error(`Unknown node type "${nodeType}" in the harness`);
		return type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes(): IDataObject {
		return {};
	}
}

/** Serves credentials from memory, standing in for n8n's DB-backed CredentialsHelper. */
class HarnessCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly byType: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	async authenticate(
		_credentials: ICredentialDataDecryptedObject,
		_typeName: string,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		return requestOptions;
	}

	async preAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async getCredentials(): Promise<ICredentials> {
		throw new Error('The harness only serves decrypted credentials (getDecrypted)');
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const data = this.byType[type];
		if (data === undefined) throw new Error(`No credentials of type "${type}" given to the harness`);
		// A copy, so a node mutating its credentials cannot leak into the caller's fixture.
		return structuredClone(data);
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties(): INodeProperties[] {
		return [];
	}
}

function createInputNodeType(items: HarnessItem[]): INodeType {
	return {
		description: {
			displayName: 'Harness Input',
			name: 'harnessInput',
			group: ['input'],
			version: 1,
			description: 'Emits the test items, binaries stored through BinaryDataService',
			defaults: { name: INPUT_NODE_NAME },
			inputs: [],
			outputs: [NodeConnectionTypes.Main],
			properties: [],
		},
		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			const out: INodeExecutionData[] = [];
			for (const item of items) {
				const result: INodeExecutionData = {
					json: structuredClone(item.json),
					pairedItem: { item: 0 },
				};
				if (item.binary !== undefined) {
					result.binary = {};
					for (const [property, binary] of Object.entries(item.binary)) {
						result.binary[property] = await this.helpers.prepareBinaryData(
							binary.data,
							binary.fileName,
							binary.mimeType,
						);
					}
				}
				out.push(result);
			}
			return [out];
		},
	};
}

function defaultTypeVersion(nodeType: INodeType): number {
	const { version, defaultVersion } = nodeType.description;
	if (defaultVersion !== undefined) return defaultVersion;
	return Array.isArray(version) ? Math.max(...version) : version;
}

/**
 * Delegates to the node under test through its prototype (so `instanceof`, `description` and
 * every other method stay the node's own) and keeps the instance of any error `execute` throws:
 * WorkflowExecute stores errors as plain spread objects, losing the class.
 */
function withErrorCapture(nodeType: INodeType, onError: (error: unknown) => void): INodeType {
	type Execute = NonNullable<INodeType['execute']>;
	const execute: Execute | undefined = nodeType.execute;
	if (execute === undefined) return nodeType;
	const wrapped: INodeType = Object.create(nodeType) as INodeType;
	// A `function`, not an arrow: classic nodes are called with `this` = ExecuteContext.
	wrapped.execute = async function (this: unknown, ...args: unknown[]) {
		try {
			return await (execute as (...a: unknown[]) => ReturnType<Execute>).apply(this, args);
		} catch (error) {
			onError(error);
			throw error;
		}
	} as Execute;
	return wrapped;
}

function errorFromRun(serialized: unknown): Error {
	// Engine-level failures (not thrown by the node) only exist as the spread copy.
	const record = (typeof serialized === 'object' && serialized !== null ? serialized : {}) as Record<
		string,
		unknown
	>;
	const message = typeof record.message === 'string' ? record.message : 'Workflow run failed';
	return Object.assign(new Error(message), record);
}

export async function runNodeInWorkflow(
	options: RunNodeInWorkflowOptions,
): Promise<RunNodeInWorkflowResult> {
	await setupN8nCore();

	const nodeTypeName = options.nodeTypeName ?? `CUSTOM.${options.nodeType.description.name}`;
	const nodeName = options.nodeName ?? DEFAULT_NODE_NAME;
	const credentials = options.credentials ?? {};

	let thrownByNode: unknown;
	const nodeTypes = new HarnessNodeTypes({
		[INPUT_NODE_TYPE]: createInputNodeType(options.items),
		[nodeTypeName]: withErrorCapture(options.nodeType, (error) => {
			thrownByNode = error;
		}),
	});

	const inputNode: INode = {
		id: 'harness-input',
		name: INPUT_NODE_NAME,
		type: INPUT_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const nodeUnderTest: INode = {
		id: 'harness-node-under-test',
		name: nodeName,
		type: nodeTypeName,
		typeVersion: options.typeVersion ?? defaultTypeVersion(options.nodeType),
		position: [200, 0],
		// n8n mutates parameters while filling defaults; keep the caller's object intact.
		parameters: structuredClone(options.parameters),
	};
	if (options.continueOnFail === true) nodeUnderTest.onError = 'continueRegularOutput';
	if (options.onError !== undefined) nodeUnderTest.onError = options.onError;
	const credentialTypes = Object.keys(credentials);
	if (credentialTypes.length > 0) {
		const nodeCredentials: INodeCredentials = {};
		for (const type of credentialTypes) nodeCredentials[type] = { id: `harness-${type}`, name: type };
		nodeUnderTest.credentials = nodeCredentials;
	}

	const connections: IConnections = {
		[INPUT_NODE_NAME]: { main: [[{ node: nodeName, type: NodeConnectionTypes.Main, index: 0 }]] },
	};
	const executionId = `harness-${++executionCounter}`;
	const workflowData: IWorkflowBase = {
		id: 'harness-workflow',
		name: 'n8n node harness',
		active: false,
		isArchived: false,
		activeVersionId: null,
		createdAt: new Date(),
		updatedAt: new Date(),
		nodes: [inputNode, nodeUnderTest],
		connections,
		settings: { executionOrder: 'v1' },
	};
	const workflow = new Workflow({
		id: workflowData.id,
		name: workflowData.name,
		nodes: workflowData.nodes,
		connections,
		active: false,
		nodeTypes,
		settings: workflowData.settings,
	});

	const mode = options.mode ?? 'manual';
	const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowData);
	const nodeExecutionOrder: string[] = [];
	hooks.addHandler('nodeExecuteAfter', (name) => {
		nodeExecutionOrder.push(name);
	});
	const finished = createDeferredPromise<IRun>();
	hooks.addHandler('workflowExecuteAfter', (fullRunData) => finished.resolve(fullRunData));

	const additionalData: IWorkflowExecuteAdditionalData = {
		hooks,
		credentialsHelper: new HarnessCredentialsHelper(credentials),
		externalSecretsProxy: Container.get(ExternalSecretsProxy),
		executionId,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678/',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		userId: 'harness-user',
		variables: {},
		executeWorkflow: async () => {
			throw new Error('Sub-workflow execution is not available in the node harness');
		},
		getRunExecutionData: async () => undefined,
		logAiEvent: () => {},
		startRunnerTask: async () => {
			throw new Error('Task runners are not available in the node harness');
		},
	};

	const workflowExecute = new WorkflowExecute(additionalData, mode);
	let run: IRun;
	try {
		run = await workflowExecute.run(workflow, inputNode);
	} catch (error) {
		// run() throws synchronously for workflow issues (e.g. a missing required parameter),
		// before any run data exists.
		const err = error instanceof Error ? error : new Error(String(error));
		if (err instanceof WorkflowHasIssuesError && err.description === undefined) {
			// n8n's message does not say what is wrong; the editor shows it next to the node.
			const issues = workflowExecute.checkReadyForExecution(workflow, { startNode: INPUT_NODE_NAME });
			err.description = `Issues: ${JSON.stringify(issues)}`;
		}
		return {
			items: [],
			outputs: [],
			binaries: [],
			error: err,
			nodeExecutionOrder,
		};
	}
	// The returned IRun and the hook's are the same object; waiting on the hook also guarantees
	// every after-run handler has finished.
	await finished.promise;

	const taskData = run.data.resultData.runData[nodeName]?.[0];
	const outputs: INodeExecutionData[][] = (taskData?.data?.main ?? []).map((output) => output ?? []);
	const items = outputs[0] ?? [];
	const binaries = await Promise.all(
		items.map(async (item) => {
			const buffers: Record<string, Buffer> = {};
			for (const [property, binary] of Object.entries(item.binary ?? {})) {
				buffers[property] = await readBinary(binary);
			}
			return buffers;
		}),
	);

	let error: Error | undefined;
	const runError = run.data.resultData.error;
	if (runError !== undefined) {
		error = thrownByNode instanceof Error ? thrownByNode : errorFromRun(runError);
	}

	return { items, outputs, binaries, error, run, nodeExecutionOrder };
}
