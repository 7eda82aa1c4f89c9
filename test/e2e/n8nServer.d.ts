// Types of n8nServer.js (plain CommonJS, like the runner), for e2e tests in TypeScript.
import type { ChildProcess } from 'node:child_process';
import type { LogRecord, N8nLayout, Workflow } from './n8nRunner';

export interface ManagedProcess {
	name: string;
	child: ChildProcess;
	pid: number;
	/** Everything printed so far, stdout and stderr in arrival order. */
	output(): string;
	/** stdout parsed as n8n JSON log records. */
	records(): LogRecord[];
	exited(): boolean;
	exit: Promise<{ code: number | null; signal: string | null; error?: Error }>;
	waitForOutput(test: RegExp, timeoutMs: number): Promise<void>;
	/** SIGTERM to the process group, SIGKILL after graceMs (default 20 s). */
	stop(graceMs?: number): Promise<void>;
}

export interface N8nServer extends ManagedProcess {
	url: string;
	port: number;
}

export interface HttpResponse {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	body: unknown;
}

export const DEFAULT_START_TIMEOUT_MS: number;
export const DEFAULT_OWNER: { email: string; firstName: string; lastName: string; password: string };
export function freePort(): Promise<number>;
export function spawnManaged(
	name: string,
	command: string,
	args: string[],
	options: { env: Record<string, string | undefined>; cwd: string; logFile?: string; inherit?: boolean },
): ManagedProcess;
export function n8nCommand(layout: N8nLayout, args: string[], options: { env: Record<string, string | undefined>; cwd: string; timeoutMs?: number }): Promise<string>;
export function serverEnv(options: {
	layout: N8nLayout;
	userFolder: string;
	port?: number;
	customExtensions?: string[];
	allowedPaths?: string[];
	logLevel?: string;
	env?: Record<string, string>;
}): Promise<Record<string, string | undefined>>;
export function waitForHttp(url: string, timeoutMs: number, proc?: ManagedProcess): Promise<void>;
/** Resolves once n8n serves `method` on the production webhook URL (CORS preflight probe). */
export function waitForWebhook(webhookUrl: string, options?: { method?: string; timeoutMs?: number; proc?: ManagedProcess }): Promise<void>;
export function startMain(options: {
	layout: N8nLayout;
	env: Record<string, string | undefined>;
	cwd: string;
	logFile?: string;
	inherit?: boolean;
	timeoutMs?: number;
	command?: 'start' | 'webhook';
	/** Called with the process as soon as it is spawned (before it is ready). */
	onSpawn?: (proc: ManagedProcess) => void;
}): Promise<N8nServer>;
export function startWorker(options: {
	layout: N8nLayout;
	env: Record<string, string | undefined>;
	cwd: string;
	logFile?: string;
	concurrency?: number;
	name?: string;
	timeoutMs?: number;
}): Promise<ManagedProcess>;
export function importAndActivate(
	layout: N8nLayout,
	workflows: Workflow[],
	options: { env: Record<string, string | undefined>; cwd: string; activate?: string[] },
): Promise<void>;
export function startRedis(options: { cwd: string; logFile?: string; binary?: string }): Promise<ManagedProcess & { port: number }>;
/** Debian's PostgreSQL server binaries folder, or null when the package is not installed. */
export function postgresBinDir(): string | null;
/** A throw-away PostgreSQL on 127.0.0.1 (trust auth, no fsync); `env` holds the DB_* variables for n8n. */
export function startPostgres(options?: { logFile?: string }): Promise<ManagedProcess & { port: number; dir: string; env: Record<string, string> }>;
export function ownerSession(url: string, owner?: { email: string; firstName: string; lastName: string; password: string }): Promise<string>;
export function loadedTypes(url: string, cookie: string): Promise<{ nodes: Array<Record<string, unknown>>; credentials: Array<Record<string, unknown>> }>;
export function memoryOf(pid: number): { rss: number; peakRss: number };
export function request(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<HttpResponse>;
export function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]>;
