'use strict';
/**
 * Runs workflows in a real n8n (installed by test/e2e/n8nInstall.js) through its CLI:
 * `n8n import:workflow` then `n8n execute --id --rawOutput`, each run in a scratch N8N_USER_FOLDER.
 *
 * Two ways to load the package under test, as users do:
 *  - `packageDir`: N8N_CUSTOM_EXTENSIONS=<package root> (n8n's CustomDirectoryLoader: every
 *    `**\/*.node.js` under that folder is loaded, node types are named `CUSTOM.<name>`, the codex is
 *    read from `<file>.node.json` beside the node file, never from description.codex);
 *  - `installCommunityPackage()`: `npm pack` + the exact install procedure of n8n 2.x's Community
 *    Nodes into `<userFolder>/.n8n/nodes`, found at start-up by the community-packages module
 *    (scans `<userFolder>/.n8n/nodes/node_modules/n8n-nodes-*`; no database row is needed);
 *    node types are named `<package name>.<name>`.
 *
 * Why the CLI and not n8n's internals: the suite must see what a user's n8n sees (loader warnings,
 * the task runner, file-access rules, module resolution from n8n's own node_modules).
 *
 * Plain CommonJS so that it runs before (and independently of) the package's TypeScript build.
 */
const fs = require('node:fs');
const os = require('node:os');
const net = require('node:net');
const path = require('node:path');
const zlib = require('node:zlib');
const crypto = require('node:crypto');
const { spawn, spawnSync } = require('node:child_process');
const { resolveLayout, isInstalled } = require('./n8nInstall');

/** Default time limits; override with options or E2E_N8N_TIMEOUT_MS (execute) for slow machines. */
const DEFAULT_EXECUTE_TIMEOUT_MS = Number(process.env.E2E_N8N_TIMEOUT_MS) || 5 * 60_000;
const DEFAULT_IMPORT_TIMEOUT_MS = 2 * 60_000;

/**
 * Warnings every n8n run here prints that say nothing about the package under test. Anything at
 * level warn/error that matches none of these is reported by `unexpectedWarnings`.
 */
const BENIGN_WARNINGS = [
	// Printed (at level warn) by the first command in a fresh user folder while it creates the DB.
	/^Migrations in progress, please do NOT stop the process\.$/,
	// 2.x: there is no Python virtual environment for the internal Python task runner.
	/Failed to start Python task runner/,
];

/** The n8n CustomDirectoryLoader's package name (node types become `CUSTOM.<name>`). */
const CUSTOM_PACKAGE_NAME = 'CUSTOM';

// ---------------------------------------------------------------------------------------------
// n8n location
// ---------------------------------------------------------------------------------------------

/**
 * The installed n8n to use (E2E_N8N_VERSION or the default); throws with the install command when
 * it is missing, rather than installing silently inside a test's time budget.
 * @param {{ version?: string }} [options]
 */
function getN8n(options = {}) {
	const layout = resolveLayout(options.version ? { version: options.version } : {});
	if (!isInstalled(layout)) {
		const envPart = options.version ? `E2E_N8N_VERSION=${options.version} ` : '';
		throw new Error(
			`n8n ${layout.version} is not installed in ${layout.cacheDir}; run: ${envPart}node test/e2e/n8nInstall.js`,
		);
	}
	return layout;
}

function majorOf(version) {
	return Number.parseInt(String(version).split('.')[0], 10);
}

// ---------------------------------------------------------------------------------------------
// Scratch folders
// ---------------------------------------------------------------------------------------------

/**
 * Creates a scratch N8N_USER_FOLDER (n8n keeps its sqlite DB, config and `.n8n/nodes` in
 * `<folder>/.n8n`) and a `files` folder beside `.n8n` that Read/Write Files from Disk may use.
 * Reusing one user folder for several runs skips the database migrations (~3 s) after the first.
 * @param {string} [prefix]
 * @returns {{ userFolder: string, filesDir: string }}
 */
function createUserFolder(prefix = 'n8n-e2e-') {
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	const filesDir = path.join(userFolder, 'files');
	fs.mkdirSync(filesDir, { recursive: true });
	return { userFolder, filesDir };
}

/** Removes a scratch folder created by this module (keep it with E2E_KEEP=1 to inspect a failure). */
function removeUserFolder(userFolder) {
	if (process.env.E2E_KEEP === '1') return;
	fs.rmSync(userFolder, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Process handling
// ---------------------------------------------------------------------------------------------

/** A free TCP port: the task broker listens on a fixed port (5679) unless told otherwise, so two
 *  n8n processes at once (parallel jest workers, a developer's own n8n) would collide. */
function freePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = /** @type {net.AddressInfo} */ (server.address());
			server.close(() => resolve(port));
		});
	});
}

/**
 * Runs one process in its own process group and resolves with its output. n8n starts a task
 * runner child process; killing the whole group on a time-out leaves nothing behind.
 * @returns {Promise<{ exitCode: number|null, signal: string|null, timedOut: boolean, stdout: string, stderr: string, durationMs: number }>}
 */
function runProcess(command, args, { env, cwd, timeoutMs }) {
	return new Promise((resolve, reject) => {
		const started = Date.now();
		const child = spawn(command, args, { env, cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
		const stdout = [];
		const stderr = [];
		child.stdout.on('data', (chunk) => stdout.push(chunk));
		child.stderr.on('data', (chunk) => stderr.push(chunk));
		let timedOut = false;
		const killGroup = () => {
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {
				// the group is already gone
			}
		};
		const timer = setTimeout(() => {
			timedOut = true;
			killGroup();
		}, timeoutMs);
		child.on('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
		child.on('close', (exitCode, signal) => {
			clearTimeout(timer);
			// A task runner that outlived n8n (it should not) belongs to this group: end it too.
			killGroup();
			resolve({
				exitCode,
				signal,
				timedOut,
				stdout: Buffer.concat(stdout).toString('utf8'),
				stderr: Buffer.concat(stderr).toString('utf8'),
				durationMs: Date.now() - started,
			});
		});
	});
}

// ---------------------------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------------------------

/**
 * The environment of an n8n process. Inherited N8N_*, DB_* and similar variables are dropped so a
 * developer's own n8n settings cannot leak into the suite.
 * @param {object} options
 * @param {ReturnType<typeof resolveLayout>} options.layout
 * @param {string} options.userFolder
 * @param {string[]} [options.customExtensions]  folders for N8N_CUSTOM_EXTENSIONS
 * @param {string[]} [options.allowedPaths]      N8N_RESTRICT_FILE_ACCESS_TO (Read/Write Files from Disk)
 * @param {string} [options.logLevel]            'debug' (default) or 'info': the run output is an info record
 * @param {number} [options.brokerPort]
 * @param {Record<string,string>} [options.env]  extra variables, applied last
 */
function buildEnv({ layout, userFolder, customExtensions = [], allowedPaths = [], logLevel = 'debug', brokerPort, env = {} }) {
	const base = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (/^(N8N_|DB_|NODES_|EXECUTIONS_|GENERIC_TIMEZONE|NODE_OPTIONS|NODE_PATH|NODE_FUNCTION_ALLOW_)/.test(key)) continue;
		// Jest sets NODE_ENV=test, and n8n with NODE_ENV=test silences its logger (`inTest`): no run
		// output, no warnings. JEST_WORKER_ID is dropped for the same reason (test detection).
		if (key === 'NODE_ENV' || key.startsWith('JEST_')) continue;
		base[key] = value;
	}
	const settings = {
		// n8n's internal JS task runner is spawned as plain `node` from PATH: put n8n's Node first so
		// the Code node runs on the same Node as n8n (Node 24 for 2.x), not the machine's Node 20.
		PATH: [path.dirname(layout.nodeBin), process.env.PATH].filter(Boolean).join(path.delimiter),
		N8N_USER_FOLDER: userFolder,
		DB_TYPE: 'sqlite',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		// Logs go to stdout as JSON lines: the run data itself is logged at level info
		// (`execute --rawOutput` prints through the logger), so parsing the JSON lines yields both
		// the run data and every warning. (Writes to a stdout pipe are synchronous on Linux; a log
		// file is written asynchronously and could miss its last lines when n8n exits.)
		N8N_LOG_OUTPUT: 'console',
		N8N_LOG_FORMAT: 'json',
		N8N_LOG_LEVEL: logLevel,
		// Allows `{{ $env.X }}` in test workflows (2.x blocks it by default); tests pass X via `env`.
		N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
		// Default `~/.n8n-files`: the Read/Write Files from Disk nodes may only touch these folders.
		N8N_RESTRICT_FILE_ACCESS_TO: allowedPaths.join(';'),
		// The internal task runner (Code node); the broker gets a port of its own per run.
		N8N_RUNNERS_MODE: 'internal',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		// Create the user folder's config file as 0600 (1.x warns "Permissions 0644 ... too wide" otherwise).
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
	};
	if (majorOf(layout.version) < 2) {
		// 1.x: task runners are opt-in (without them the Code node runs inside n8n's process); enabled
		// so that 1.x runs workflows the way 2.x does.
		settings.N8N_RUNNERS_ENABLED = 'true';
		// The last 1.x releases evaluate expressions in isolated-vm 6 by default, whose native addon
		// ships prebuilt for Node 22/24 only and does not compile against Node 20's V8: every command
		// then dies at start-up ("Could not initialize the vm expression engine"). The legacy engine
		// (1.x's only engine until late 1.123.x) needs no addon.
		settings.N8N_EXPRESSION_ENGINE = 'legacy';
	}
	if (customExtensions.length > 0) settings.N8N_CUSTOM_EXTENSIONS = customExtensions.join(';');
	return { ...base, ...settings, ...env };
}

// ---------------------------------------------------------------------------------------------
// Log parsing
// ---------------------------------------------------------------------------------------------

/**
 * @typedef {{ level: string, message: string, metadata?: Record<string, unknown> }} LogRecord
 */

/**
 * Splits n8n's stdout into JSON log records and other lines (anything the loaded code itself
 * writes with console.log, stack traces, npm chatter).
 * @param {string} text
 * @returns {{ records: LogRecord[], rawLines: string[] }}
 */
function parseLog(text) {
	const records = [];
	const rawLines = [];
	for (const line of text.split('\n')) {
		if (line.trim() === '') continue;
		if (line.startsWith('{"level"')) {
			try {
				records.push(JSON.parse(line));
				continue;
			} catch {
				// not a log record after all
			}
		}
		rawLines.push(line);
	}
	return { records, rawLines };
}

/**
 * The run data of `n8n execute`: the (last) info record whose message is the JSON of an execution
 * (`{ data: { resultData }, status, ... }`). n8n logs it both on success and, before the error
 * summary, on failure.
 * @param {LogRecord[]} records
 */
function extractExecution(records) {
	for (let index = records.length - 1; index >= 0; index -= 1) {
		const { message } = records[index];
		if (typeof message !== 'string' || !message.startsWith('{')) continue;
		try {
			const parsed = JSON.parse(message);
			if (parsed && parsed.data && parsed.data.resultData) return parsed;
		} catch {
			// an info message that only looks like JSON
		}
	}
	return null;
}

/**
 * Reads the last execution of a workflow from the user folder's sqlite database, with n8n's own
 * Node, sqlite3 and flatted (execution data is stored flatted-encoded). Needed because when a
 * workflow fails before any node runs (e.g. WorkflowHasIssuesError: a required parameter is
 * missing), `n8n execute` logs only "No active execution found" and never prints the run data;
 * the real error is in the database.
 * @returns {object|null} an execution shaped like the logged one, plus `fromDatabase: true`
 */
function readStoredExecution(layout, userFolder, workflowId) {
	const database = path.join(userFolder, '.n8n', 'database.sqlite');
	if (!fs.existsSync(database)) return null;
	const script = `
		const [sqlitePath, flattedPath, database, workflowId] = process.argv.slice(1);
		const sqlite3 = require(sqlitePath);
		const { parse } = require(flattedPath);
		const db = new sqlite3.Database(database, sqlite3.OPEN_READONLY);
		db.get(
			'SELECT e.id, e.status, e.finished, e.mode, e.startedAt, e.stoppedAt, d.data FROM execution_entity e ' +
				'JOIN execution_data d ON d.executionId = e.id WHERE e.workflowId = ? ORDER BY e.id DESC LIMIT 1',
			[workflowId],
			(error, row) => {
				if (error) { process.stderr.write(String(error)); process.exit(1); }
				if (!row) { process.stdout.write('null'); return; }
				const data = parse(row.data);
				process.stdout.write(JSON.stringify({ id: String(row.id), status: row.status, finished: Boolean(row.finished),
					mode: row.mode, startedAt: row.startedAt, stoppedAt: row.stoppedAt, data, fromDatabase: true }));
			},
		);`;
	const modules = path.join(layout.n8nDir, 'node_modules');
	const result = spawnSync(
		layout.nodeBin,
		['-e', script, path.join(modules, 'sqlite3'), path.join(modules, 'flatted'), database, workflowId],
		{ encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 1024 * 1024 },
	);
	if (result.status !== 0) return null;
	try {
		const execution = JSON.parse(result.stdout);
		return execution && execution.data && execution.data.resultData ? execution : null;
	} catch {
		return null;
	}
}

// ---------------------------------------------------------------------------------------------
// Workflows
// ---------------------------------------------------------------------------------------------

/** A workflow id n8n accepts (any string of 1..21 characters); 16 alphanumerics like n8n's own. */
function newWorkflowId() {
	return crypto.randomBytes(12).toString('base64').replace(/[^A-Za-z0-9]/g, '').padEnd(16, 'x').slice(0, 16);
}

/**
 * Renames node types `<packageName>.<node>` to `CUSTOM.<node>`: one workflow written with the
 * published type names then runs both with N8N_CUSTOM_EXTENSIONS and as a community package.
 */
function rewriteNodeTypes(workflow, fromPrefix, toPrefix) {
	return {
		...workflow,
		nodes: workflow.nodes.map((node) =>
			node.type.startsWith(`${fromPrefix}.`) ? { ...node, type: `${toPrefix}.${node.type.slice(fromPrefix.length + 1)}` } : node,
		),
	};
}

function readPackageJson(packageDir) {
	return JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
}

/**
 * @typedef {object} RunResult
 * @property {boolean} ok              exit code 0 and execution status "success"
 * @property {object|null} execution   n8n's execution object ({ data: { resultData: { runData, error } }, status, ... });
 *                                     read from n8n's database (fromDatabase: true) when n8n did not print it
 * @property {string|null} status      execution.status ("success", "error", ...)
 * @property {object|null} error       execution.data.resultData.error (the workflow's error, if any); with no
 *                                     execution at all, the last error n8n logged ({ name: 'N8nCliError', fromLog: true })
 * @property {LogRecord[]} records     the JSON log records of `n8n execute`
 * @property {LogRecord[]} importRecords  the JSON log records of `n8n import:workflow`
 * @property {string[]} rawLines       non-JSON stdout lines of `n8n execute`
 * @property {string} stdout
 * @property {string} stderr
 * @property {number|null} exitCode
 * @property {boolean} timedOut
 * @property {number} importMs
 * @property {number} executeMs
 * @property {string} workflowId
 * @property {string} userFolder
 * @property {string} n8nVersion
 * @property {Record<string,string>} env  the n8n-specific part of the environment used
 */

/**
 * @typedef {object} RunOptions
 * @property {string} [packageDir]   package root to load through N8N_CUSTOM_EXTENSIONS
 * @property {string[]} [customExtensions]  explicit N8N_CUSTOM_EXTENSIONS folders (added after packageDir)
 * @property {boolean} [rewriteTypes=true]  with packageDir: node types `<package name>.x` become `CUSTOM.x`
 * @property {string} [userFolder]   N8N_USER_FOLDER to (re)use; default: a new scratch folder, removed afterwards
 * @property {string[]} [allowedPaths]  folders Read/Write Files from Disk may use (default: `<userFolder>/files`)
 * @property {Record<string,string>} [env]  extra environment (e.g. values read with $env in the workflow)
 * @property {string} [version]      n8n version (default E2E_N8N_VERSION or 2.40.7)
 * @property {string} [logLevel]     'debug' (default) or 'info'
 * @property {number} [timeoutMs]    per `n8n execute` (default E2E_N8N_TIMEOUT_MS or 5 min)
 */

/**
 * Imports and executes one workflow; resolves with a RunResult (does not throw on a failed
 * workflow: tests assert on `ok`, `error` and the logs). Throws only if n8n cannot be run at all
 * (not installed, or `import:workflow` failed, e.g. because a custom node's module threw at load).
 *
 * @param {object} workflow  n8n workflow JSON ({ nodes, connections, ... }); its id is replaced
 *                           by a fresh one, so runs in one user folder never collide
 * @param {RunOptions} [options]
 * @returns {Promise<RunResult>}
 */
async function runWorkflow(workflow, options = {}) {
	const [result] = await runWorkflows([workflow], options);
	return result;
}

/**
 * Imports several workflows with ONE `n8n import:workflow` (each n8n start costs ~2 s), then
 * executes them one after another, in order. Every result's importMs is that shared import.
 * @param {object[]} workflows
 * @param {RunOptions} [options]
 * @returns {Promise<RunResult[]>}
 */
async function runWorkflows(workflows, options = {}) {
	const layout = getN8n({ version: options.version });
	const ownsFolder = !options.userFolder;
	const userFolder = options.userFolder || createUserFolder().userFolder;
	const filesDir = path.join(userFolder, 'files');
	fs.mkdirSync(filesDir, { recursive: true });
	try {
		let customExtensions = options.customExtensions || [];
		let packageName = null;
		if (options.packageDir) {
			const packageDir = path.resolve(options.packageDir);
			customExtensions = [packageDir, ...customExtensions];
			packageName = readPackageJson(packageDir).name;
		}
		const toRun = workflows.map((workflow) => {
			const id = newWorkflowId();
			const renamed = packageName && options.rewriteTypes !== false ? rewriteNodeTypes(workflow, packageName, CUSTOM_PACKAGE_NAME) : workflow;
			return { name: `e2e ${id}`, active: false, settings: {}, connections: {}, ...renamed, id };
		});

		const env = buildEnv({
			layout,
			userFolder,
			customExtensions,
			allowedPaths: options.allowedPaths || [filesDir],
			logLevel: options.logLevel,
			brokerPort: await freePort(),
			env: options.env,
		});
		// Everything n8n printed stays in <userFolder>/runs (kept with E2E_KEEP=1) for post-mortems.
		const runsDir = path.join(userFolder, 'runs');
		fs.mkdirSync(runsDir, { recursive: true });
		const batch = toRun[0].id;
		const workflowFile = path.join(runsDir, `${batch}.workflows.json`);
		fs.writeFileSync(workflowFile, JSON.stringify(toRun, null, 2));

		const imported = await runProcess(layout.nodeBin, [layout.n8nBin, 'import:workflow', `--input=${workflowFile}`], {
			env,
			cwd: userFolder,
			timeoutMs: DEFAULT_IMPORT_TIMEOUT_MS,
		});
		fs.writeFileSync(path.join(runsDir, `${batch}.import.log`), imported.stdout + imported.stderr);
		const importRecords = parseLog(imported.stdout).records;
		if (imported.exitCode !== 0) {
			throw new Error(
				`n8n import:workflow failed (exit ${imported.exitCode}${imported.timedOut ? ', timed out' : ''}):\n${tail(imported.stdout + imported.stderr)}`,
			);
		}

		const results = [];
		for (const { id: workflowId } of toRun) {
			const executed = await runProcess(layout.nodeBin, [layout.n8nBin, 'execute', `--id=${workflowId}`, '--rawOutput'], {
				env,
				cwd: userFolder,
				timeoutMs: options.timeoutMs || DEFAULT_EXECUTE_TIMEOUT_MS,
			});
			fs.writeFileSync(path.join(runsDir, `${workflowId}.execute.log`), executed.stdout + executed.stderr);
			const { records, rawLines } = parseLog(executed.stdout);
			const execution = extractExecution(records) || readStoredExecution(layout, userFolder, workflowId);
			const status = execution ? execution.status || null : null;
			const error = execution ? execution.data.resultData.error || null : errorFromLog(records, executed);
			results.push({
				ok: executed.exitCode === 0 && status === 'success' && !error,
				execution,
				status,
				error,
				records,
				importRecords,
				rawLines,
				stdout: executed.stdout,
				stderr: executed.stderr,
				exitCode: executed.exitCode,
				timedOut: executed.timedOut,
				importMs: imported.durationMs,
				executeMs: executed.durationMs,
				workflowId,
				userFolder,
				n8nVersion: layout.version,
				env: Object.fromEntries(Object.entries(env).filter(([key]) => /^(N8N_|DB_)/.test(key))),
			});
		}
		return results;
	} finally {
		if (ownsFolder) removeUserFolder(userFolder);
	}
}

/**
 * When n8n produced no execution at all (e.g. "Unrecognized node type" because the package failed
 * to load), the last error it logged stands in for the run error, so `error` is set whenever a
 * run failed. Marked `fromLog: true`.
 */
function errorFromLog(records, executed) {
	if (executed.exitCode === 0 && !executed.timedOut) return null;
	const errors = records.filter((record) => record.level === 'error' && !/^\s*(Execution error:|Error executing workflow)/.test(record.message));
	const last = errors[errors.length - 1];
	const message = executed.timedOut
		? `n8n execute timed out`
		: last
			? last.message.split('\n')[0]
			: `n8n execute exited with code ${executed.exitCode}`;
	return { name: 'N8nCliError', message, fromLog: true };
}

function tail(text, lines = 40) {
	return text.split('\n').slice(-lines).join('\n');
}

// ---------------------------------------------------------------------------------------------
// Reading run data
// ---------------------------------------------------------------------------------------------

/** The task data of every run of a node (one per execution of that node), or [] if it did not run. */
function getNodeRuns(resultOrExecution, nodeName) {
	const execution = resultOrExecution && 'execution' in resultOrExecution ? resultOrExecution.execution : resultOrExecution;
	if (!execution) return [];
	return execution.data.resultData.runData[nodeName] || [];
}

/**
 * The items ({ json, binary?, pairedItem }) a node emitted on one output of one run.
 * @param {RunResult|object} resultOrExecution
 * @param {string} nodeName
 * @param {{ run?: number, output?: number }} [where]
 */
function getNodeOutput(resultOrExecution, nodeName, { run = 0, output = 0 } = {}) {
	const task = getNodeRuns(resultOrExecution, nodeName)[run];
	if (!task || !task.data || !task.data.main) return [];
	return task.data.main[output] || [];
}

/** The error a node's run ended with (n8n serialises NodeOperationError etc. into task.error). */
function getNodeError(resultOrExecution, nodeName, { run = 0 } = {}) {
	const task = getNodeRuns(resultOrExecution, nodeName)[run];
	return (task && task.error) || null;
}

/**
 * Log records (import and execute) filtered by level and by a pattern on message + metadata.
 * @param {RunResult} result
 * @param {{ levels?: string[], match?: RegExp|string }} [filter]
 * @returns {LogRecord[]}
 */
function findLogRecords(result, { levels, match } = {}) {
	const all = [...(result.importRecords || []), ...(result.records || [])];
	return all.filter((record) => {
		if (levels && !levels.includes(record.level)) return false;
		if (match === undefined) return true;
		const text = `${record.message} ${record.metadata ? JSON.stringify(record.metadata) : ''}`;
		return typeof match === 'string' ? text.includes(match) : match.test(text);
	});
}

/** Warnings and errors that none of BENIGN_WARNINGS (plus `allow`) explains. */
function unexpectedWarnings(result, allow = []) {
	const patterns = [...BENIGN_WARNINGS, ...allow];
	return findLogRecords(result, { levels: ['warn', 'error'] }).filter(
		(record) => !patterns.some((pattern) => pattern.test(record.message)),
	);
}

function escapeRegExp(text) {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * What n8n said while loading a node that points at a problem in its description or files:
 * every warn/error record mentioning the node (type name, package name or display name), and
 * the debug notice "No codex available for: <name>" (a missing or unreadable `<node>.node.json`).
 * Needs logLevel 'debug' (the default) for the codex notice.
 * @param {RunResult} result
 * @param {{ nodeName: string, packageName?: string, displayName?: string }} node
 */
function descriptionWarnings(result, { nodeName, packageName, displayName }) {
	const names = [nodeName, packageName, displayName].filter(Boolean).map(escapeRegExp);
	const mentions = new RegExp(`(^|[^A-Za-z0-9])(${names.join('|')})([^A-Za-z0-9]|$)`);
	const codex = new RegExp(`No codex available for: ${escapeRegExp(nodeName)}$`);
	return findLogRecords(result).filter((record) => {
		if (record.level === 'debug') return codex.test(record.message);
		if (record.level !== 'warn' && record.level !== 'error') return false;
		return mentions.test(`${record.message} ${record.metadata ? JSON.stringify(record.metadata) : ''}`);
	});
}

// ---------------------------------------------------------------------------------------------
// Community Nodes install
// ---------------------------------------------------------------------------------------------

function npm(args, cwd, timeoutMs = 10 * 60_000) {
	const result = spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
	if (result.status !== 0) {
		throw new Error(`npm ${args.join(' ')} failed in ${cwd} (exit ${result.status}):\n${tail(`${result.stdout}\n${result.stderr}`)}`);
	}
	return result.stdout;
}

/**
 * `npm pack` of a package folder. `--ignore-scripts`: the suite packs what was built; a prepack
 * script would rebuild it inside a test's time budget.
 * @returns {string} the .tgz path
 */
function packPackage(packageDir, destDir) {
	fs.mkdirSync(destDir, { recursive: true });
	const out = npm(['pack', '--json', '--ignore-scripts', '--pack-destination', destDir], path.resolve(packageDir));
	const [info] = JSON.parse(out.slice(out.indexOf('[')));
	return path.join(destDir, info.filename);
}

/**
 * Installs a package into `<userFolder>/.n8n/nodes` exactly as n8n 2.x's Community Nodes installer
 * does (CommunityPackagesService.downloadPackage): unpack the tarball into
 * `nodes/node_modules/<name>`, drop devDependencies/peerDependencies/optionalDependencies from its
 * package.json, run `npm install --bin-links=false --install-strategy=shallow --ignore-scripts=true
 * --package-lock=false` inside it (so its dependencies land in its own node_modules), and record
 * it in the ledger `nodes/package.json`. Dropping the peer dependency matters: the package then
 * resolves `n8n-workflow` from n8n itself (n8n adds its own node_modules to NODE_PATH).
 *
 * (n8n 1.123.x does the same.) With `strategy: 'npm-install-tgz'` it instead runs
 * `npm install --ignore-scripts <tgz>` in `nodes/`, as a user installing by hand would; npm then
 * also installs the peer dependency n8n-workflow (latest) from the registry.
 *
 * @param {string} packageDirOrTgz  a package folder (packed first) or a .tgz
 * @param {{ userFolder: string, strategy?: 'n8n' | 'npm-install-tgz' }} options
 * @returns {{ nodesDir: string, packageName: string, version: string, packageDir: string, tarball: string, installMs: number }}
 */
function installCommunityPackage(packageDirOrTgz, { userFolder, strategy = 'n8n' }) {
	const started = Date.now();
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(path.join(nodesDir, 'node_modules'), { recursive: true });
	const tarball = packageDirOrTgz.endsWith('.tgz')
		? path.resolve(packageDirOrTgz)
		: packPackage(packageDirOrTgz, path.join(userFolder, 'packs'));
	// Read name and version from the tarball itself (what was packed, not the working tree).
	const unpackDir = fs.mkdtempSync(path.join(userFolder, 'unpack-'));
	run('tar', ['-xzf', tarball, '-C', unpackDir, '--strip-components=1']);
	const manifest = JSON.parse(fs.readFileSync(path.join(unpackDir, 'package.json'), 'utf8'));
	if (!/^(@[^/]+\/)?n8n-nodes-/.test(manifest.name)) {
		throw new Error(`${manifest.name}: n8n only loads community packages named n8n-nodes-* or @scope/n8n-nodes-*`);
	}
	const ledgerPath = path.join(nodesDir, 'package.json');
	const ledger = fs.existsSync(ledgerPath)
		? JSON.parse(fs.readFileSync(ledgerPath, 'utf8'))
		: { name: 'installed-nodes', private: true, dependencies: {} };
	const packageDir = path.join(nodesDir, 'node_modules', manifest.name);

	if (strategy === 'npm-install-tgz') {
		fs.rmSync(unpackDir, { recursive: true, force: true });
		fs.writeFileSync(ledgerPath, JSON.stringify(ledger, null, 2));
		npm(['install', '--no-audit', '--no-fund', '--ignore-scripts', tarball], nodesDir);
	} else {
		fs.rmSync(packageDir, { recursive: true, force: true });
		fs.mkdirSync(path.dirname(packageDir), { recursive: true });
		fs.renameSync(unpackDir, packageDir);
		const { devDependencies, peerDependencies, optionalDependencies, ...stripped } = manifest;
		fs.writeFileSync(path.join(packageDir, 'package.json'), JSON.stringify(stripped, null, 2));
		npm(
			['install', '--audit=false', '--fund=false', '--bin-links=false', '--install-strategy=shallow', '--ignore-scripts=true', '--package-lock=false'],
			packageDir,
		);
		ledger.dependencies = { ...ledger.dependencies, [manifest.name]: manifest.version };
		fs.writeFileSync(ledgerPath, JSON.stringify(ledger, null, 2));
	}
	return { nodesDir, packageName: manifest.name, version: manifest.version, packageDir, tarball, installMs: Date.now() - started };
}

function run(command, args) {
	const result = spawnSync(command, args, { encoding: 'utf8' });
	if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
}

// ---------------------------------------------------------------------------------------------
// Test images
// ---------------------------------------------------------------------------------------------

const CRC_TABLE = (() => {
	const table = new Uint32Array(256);
	for (let n = 0; n < 256; n += 1) {
		let c = n;
		for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		table[n] = c >>> 0;
	}
	return table;
})();

function crc32(buffer) {
	let crc = 0xffffffff;
	for (const byte of buffer) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
	return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(typeAndData));
	return Buffer.concat([length, typeAndData, crc]);
}

/**
 * Encodes an 8-bit RGB PNG with no dependency (the suite must not need the package's own sharp to
 * make its inputs). `pixel(x, y)` returns [r, g, b] in 0..255.
 * @returns {Buffer}
 */
function encodePng(width, height, pixel = (x, y) => [(x * 255) / Math.max(1, width - 1), (y * 255) / Math.max(1, height - 1), 128]) {
	const raw = Buffer.alloc((width * 3 + 1) * height);
	for (let y = 0; y < height; y += 1) {
		const row = y * (width * 3 + 1);
		raw[row] = 0; // filter: none
		for (let x = 0; x < width; x += 1) {
			const [r, g, b] = pixel(x, y);
			raw[row + 1 + x * 3] = r;
			raw[row + 2 + x * 3] = g;
			raw[row + 3 + x * 3] = b;
		}
	}
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header[8] = 8; // bit depth
	header[9] = 2; // colour type: RGB
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		pngChunk('IHDR', header),
		pngChunk('IDAT', zlib.deflateSync(raw)),
		pngChunk('IEND', Buffer.alloc(0)),
	]);
}

/** Writes encodePng(...) to a file; returns the path. */
function writePng(file, width, height, pixel) {
	fs.mkdirSync(path.dirname(file), { recursive: true });
	fs.writeFileSync(file, encodePng(width, height, pixel));
	return file;
}

module.exports = {
	BENIGN_WARNINGS,
	CUSTOM_PACKAGE_NAME,
	getN8n,
	createUserFolder,
	removeUserFolder,
	buildEnv,
	parseLog,
	extractExecution,
	readStoredExecution,
	rewriteNodeTypes,
	runWorkflow,
	runWorkflows,
	getNodeRuns,
	getNodeOutput,
	getNodeError,
	findLogRecords,
	unexpectedWarnings,
	descriptionWarnings,
	packPackage,
	installCommunityPackage,
	encodePng,
	writePng,
};
