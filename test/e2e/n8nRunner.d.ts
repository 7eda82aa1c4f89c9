// Types of n8nRunner.js (plain CommonJS so it runs before the build), for e2e tests in TypeScript.

export interface LogRecord {
	level: string;
	message: string;
	metadata?: Record<string, unknown>;
}

export interface N8nLayout {
	version: string;
	cacheDir: string;
	needsNode24: boolean;
	nodeDir: string;
	nodeBin: string;
	n8nDir: string;
	n8nBin: string;
	marker: string;
}

export interface NodeItem {
	json: Record<string, unknown>;
	binary?: Record<string, { mimeType: string; fileName?: string; fileSize?: string; fileExtension?: string; id?: string; data?: string }>;
	pairedItem?: unknown;
	error?: unknown;
}

export interface Execution {
	data: {
		resultData: {
			runData: Record<string, Array<{ data?: { main: NodeItem[][] }; error?: Record<string, unknown>; executionStatus?: string; hints?: unknown[] }>>;
			error?: Record<string, unknown>;
			lastNodeExecuted?: string;
		};
	};
	status?: string;
	finished?: boolean;
	fromDatabase?: boolean;
}

export interface RunResult {
	ok: boolean;
	execution: Execution | null;
	status: string | null;
	error: ({ message: string; name?: string; fromLog?: boolean } & Record<string, unknown>) | null;
	records: LogRecord[];
	importRecords: LogRecord[];
	rawLines: string[];
	stdout: string;
	stderr: string;
	exitCode: number | null;
	timedOut: boolean;
	importMs: number;
	executeMs: number;
	workflowId: string;
	userFolder: string;
	n8nVersion: string;
	env: Record<string, string>;
}

export interface RunOptions {
	packageDir?: string;
	customExtensions?: string[];
	rewriteTypes?: boolean;
	userFolder?: string;
	allowedPaths?: string[];
	env?: Record<string, string>;
	version?: string;
	logLevel?: 'debug' | 'info';
	timeoutMs?: number;
}

export interface CommunityInstall {
	nodesDir: string;
	packageName: string;
	version: string;
	packageDir: string;
	tarball: string;
	installMs: number;
}

export type Workflow = { nodes: Array<Record<string, unknown>>; connections?: Record<string, unknown> } & Record<string, unknown>;

export const BENIGN_WARNINGS: RegExp[];
export const CUSTOM_PACKAGE_NAME: 'CUSTOM';
export function getN8n(options?: { version?: string }): N8nLayout;
export function createUserFolder(prefix?: string): { userFolder: string; filesDir: string };
export function removeUserFolder(userFolder: string): void;
export function buildEnv(options: {
	layout: N8nLayout;
	userFolder: string;
	customExtensions?: string[];
	allowedPaths?: string[];
	logLevel?: string;
	brokerPort?: number;
	env?: Record<string, string>;
}): Record<string, string | undefined>;
export function parseLog(text: string): { records: LogRecord[]; rawLines: string[] };
export function extractExecution(records: LogRecord[]): Execution | null;
export function readStoredExecution(layout: N8nLayout, userFolder: string, workflowId: string): Execution | null;
export function rewriteNodeTypes<W extends Workflow>(workflow: W, fromPrefix: string, toPrefix: string): W;
export function runWorkflow(workflow: Workflow, options?: RunOptions): Promise<RunResult>;
export function runWorkflows(workflows: Workflow[], options?: RunOptions): Promise<RunResult[]>;
export function getNodeRuns(result: RunResult | Execution, nodeName: string): Execution['data']['resultData']['runData'][string];
export function getNodeOutput(result: RunResult | Execution, nodeName: string, where?: { run?: number; output?: number }): NodeItem[];
export function getNodeError(result: RunResult | Execution, nodeName: string, where?: { run?: number }): Record<string, unknown> | null;
export function findLogRecords(result: RunResult, filter?: { levels?: string[]; match?: RegExp | string }): LogRecord[];
export function unexpectedWarnings(result: RunResult, allow?: RegExp[]): LogRecord[];
export function descriptionWarnings(result: RunResult, node: { nodeName: string; packageName?: string; displayName?: string }): LogRecord[];
export function packPackage(packageDir: string, destDir: string): string;
export function installCommunityPackage(
	packageDirOrTgz: string,
	options: { userFolder: string; strategy?: 'n8n' | 'npm-install-tgz' },
): CommunityInstall;
export function encodePng(width: number, height: number, pixel?: (x: number, y: number) => [number, number, number]): Buffer;
export function writePng(file: string, width: number, height: number, pixel?: (x: number, y: number) => [number, number, number]): string;
