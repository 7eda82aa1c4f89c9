'use strict';
/**
 * Long-running n8n processes for the e2e suite, `npm start` and the screenshot script: `n8n start`
 * (editor + production webhooks), `n8n worker` (queue mode), and the Redis server queue mode needs.
 * The short-lived CLI runs (`import:workflow` + `execute`) stay in n8nRunner.js; this module reuses
 * its environment (`buildEnv`), so a server sees exactly what an `n8n execute` run sees.
 *
 * Every process is spawned in its own process group (n8n starts a task-runner child), so `stop()`
 * ends the whole group and nothing outlives a test. Output is kept in memory and, when `logFile`
 * is given, written to disk as it arrives (post-mortems with E2E_KEEP=1).
 *
 * Plain CommonJS, like the runner: it runs before (and without) the package's TypeScript build.
 */
const fs = require('node:fs');
const net = require('node:net');
const http = require('node:http');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { buildEnv, parseLog } = require('./n8nRunner');

/** n8n's first start in a fresh user folder runs the database migrations: allow for a slow machine. */
const DEFAULT_START_TIMEOUT_MS = 180_000;

function majorOf(version) {
	return Number.parseInt(String(version).split('.')[0], 10);
}

/** A free TCP port on the loopback interface. */
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

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A spawned long-running process with its output captured.
 * @typedef {object} ManagedProcess
 * @property {string} name
 * @property {import('node:child_process').ChildProcess} child
 * @property {number} pid
 * @property {() => string} output          everything printed so far (stdout + stderr, in arrival order)
 * @property {() => import('./n8nRunner').LogRecord[]} records   stdout parsed as n8n JSON log records
 * @property {(test: RegExp, timeoutMs: number) => Promise<void>} waitForOutput
 * @property {() => boolean} exited
 * @property {(graceMs?: number) => Promise<void>} stop
 */

/**
 * Spawns `command args` in a new process group.
 * @param {string} name          for messages
 * @param {string} command
 * @param {string[]} args
 * @param {{ env: Record<string, string|undefined>, cwd: string, logFile?: string, inherit?: boolean }} options
 *        inherit: also echo the output to this process's stdout/stderr (npm start)
 * @returns {ManagedProcess}
 */
function spawnManaged(name, command, args, { env, cwd, logFile, inherit = false }) {
	const child = spawn(command, args, { env, cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	const chunks = [];
	const stdoutChunks = [];
	const log = logFile ? fs.createWriteStream(logFile) : null;
	let exitInfo = null;
	const exitPromise = new Promise((resolve) => {
		child.on('close', (code, signal) => {
			exitInfo = { code, signal };
			if (log) log.end();
			resolve(exitInfo);
		});
		child.on('error', (error) => {
			exitInfo = { code: null, signal: null, error };
			resolve(exitInfo);
		});
	});
	child.stdout.on('data', (chunk) => {
		chunks.push(chunk);
		stdoutChunks.push(chunk);
		if (log) log.write(chunk);
		if (inherit) process.stdout.write(chunk);
	});
	child.stderr.on('data', (chunk) => {
		chunks.push(chunk);
		if (log) log.write(chunk);
		if (inherit) process.stderr.write(chunk);
	});
	const output = () => Buffer.concat(chunks).toString('utf8');

	const killGroup = (signal) => {
		try {
			process.kill(-child.pid, signal);
		} catch {
			// the group is gone already
		}
	};

	return {
		name,
		child,
		pid: child.pid,
		output,
		records: () => parseLog(Buffer.concat(stdoutChunks).toString('utf8')).records,
		exited: () => exitInfo !== null,
		exit: exitPromise,
		/** Resolves when the output matches `test`; rejects (with the output's tail) on exit or time-out. */
		async waitForOutput(test, timeoutMs) {
			const deadline = Date.now() + timeoutMs;
			while (!test.test(output())) {
				if (exitInfo) throw new Error(`${name} exited (${JSON.stringify(exitInfo)}) before printing ${test}:\n${tail(output())}`);
				if (Date.now() > deadline) throw new Error(`${name} did not print ${test} within ${timeoutMs} ms:\n${tail(output())}`);
				await sleep(100);
			}
		},
		/**
		 * SIGTERM to the group (n8n shuts down gracefully: finishes running executions, closes the DB),
		 * then SIGKILL after `graceMs` if anything is still running.
		 */
		async stop(graceMs = 20_000) {
			if (!exitInfo) {
				killGroup('SIGTERM');
				const timer = setTimeout(() => killGroup('SIGKILL'), graceMs);
				await exitPromise;
				clearTimeout(timer);
			}
			// The task runner (same group) must not outlive n8n.
			killGroup('SIGKILL');
		},
	};
}

function tail(text, lines = 40) {
	return text.split('\n').slice(-lines).join('\n');
}

/** Runs a short n8n CLI command to completion; throws with its output on a non-zero exit. */
async function n8nCommand(layout, args, { env, cwd, timeoutMs = 120_000 }) {
	const proc = spawnManaged(`n8n ${args[0]}`, layout.nodeBin, [layout.n8nBin, ...args], { env, cwd });
	const timer = setTimeout(() => proc.stop(1000), timeoutMs);
	const { code } = await proc.exit;
	clearTimeout(timer);
	await proc.stop(0);
	if (code !== 0) throw new Error(`n8n ${args.join(' ')} failed (exit ${code}):\n${tail(proc.output())}`);
	return proc.output();
}

/**
 * The environment of a long-running n8n: the runner's (scratch user folder, JSON logs on stdout,
 * the package through N8N_CUSTOM_EXTENSIONS, a task-runner broker port of its own) plus the HTTP
 * server bound to the loopback interface only.
 * @param {object} options
 * @param {ReturnType<import('./n8nInstall').resolveLayout>} options.layout
 * @param {string} options.userFolder
 * @param {number} [options.port]            N8N_PORT (main / webhook processes)
 * @param {string[]} [options.customExtensions]
 * @param {string[]} [options.allowedPaths]  Read/Write Files from Disk folders
 * @param {string} [options.logLevel]
 * @param {Record<string,string>} [options.env]  applied last
 */
async function serverEnv({ layout, userFolder, port, customExtensions = [], allowedPaths, logLevel = 'debug', env = {} }) {
	const base = buildEnv({
		layout,
		userFolder,
		customExtensions,
		allowedPaths: allowedPaths || [path.join(userFolder, 'files')],
		logLevel,
		brokerPort: await freePort(),
	});
	return {
		...base,
		...(port
			? {
					N8N_PORT: String(port),
					N8N_LISTEN_ADDRESS: '127.0.0.1',
					N8N_HOST: '127.0.0.1',
					N8N_PROTOCOL: 'http',
					WEBHOOK_URL: `http://127.0.0.1:${port}/`,
				}
			: {}),
		// Plain http on loopback: the auth cookie must not be marked Secure or the editor cannot log in.
		N8N_SECURE_COOKIE: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		...env,
	};
}

/** Polls `url` until it answers 200. */
async function waitForHttp(url, timeoutMs, proc) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		try {
			const { status } = await request('GET', url);
			if (status === 200) return;
		} catch {
			// not listening yet
		}
		if (proc && proc.exited()) throw new Error(`${proc.name} exited before ${url} answered:\n${tail(proc.output())}`);
		if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms${proc ? `:\n${tail(proc.output())}` : ''}`);
		await sleep(250);
	}
}

/**
 * `n8n start`: resolves once the editor URL is printed (active workflows' webhooks are registered
 * before that line) and /healthz/readiness answers (database connected and migrated).
 * @returns {Promise<ManagedProcess & { url: string, port: number }>}
 */
async function startMain({ layout, env, cwd, logFile, inherit, timeoutMs = DEFAULT_START_TIMEOUT_MS, command = 'start', onSpawn }) {
	const port = Number(env.N8N_PORT);
	const proc = spawnManaged(`n8n ${command}`, layout.nodeBin, [layout.n8nBin, command], { env, cwd, logFile, inherit });
	// A caller that must be able to stop n8n while it is still starting (Ctrl-C in npm start) gets it now.
	if (onSpawn) onSpawn(proc);
	try {
		if (command === 'start') await proc.waitForOutput(/Editor is now accessible via/, timeoutMs);
		await waitForHttp(`http://127.0.0.1:${port}/healthz/readiness`, timeoutMs, proc);
	} catch (error) {
		await proc.stop(2000);
		throw error;
	}
	return Object.assign(proc, { url: `http://127.0.0.1:${port}`, port });
}

/**
 * Waits until a production webhook answers. n8n 2.x registers the webhooks of published workflows
 * in the background, after the editor URL is printed, so a request right after start-up can get
 * a 404. The probe is a CORS preflight (OPTIONS with an Origin): n8n answers it 204 with the
 * allowed methods once the path is registered, and runs no workflow for it.
 * @param {string} webhookUrl  e.g. http://127.0.0.1:5678/webhook/my-path
 */
async function waitForWebhook(webhookUrl, { method = 'POST', timeoutMs = 60_000, proc } = {}) {
	const origin = new URL(webhookUrl).origin;
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const response = await request('OPTIONS', webhookUrl, undefined, { origin, 'access-control-request-method': method }).catch(() => null);
		const allowed = String((response && response.headers['access-control-allow-methods']) || '');
		if (response && response.status === 204 && allowed.split(/,\s*/).includes(method)) return;
		if (proc && proc.exited()) throw new Error(`${proc.name} exited before ${method} ${webhookUrl} was registered:\n${tail(proc.output())}`);
		if (Date.now() > deadline) throw new Error(`${method} ${webhookUrl} was not registered within ${timeoutMs} ms (last answer: ${response ? response.status : 'none'})`);
		await sleep(250);
	}
}

/** `n8n worker --concurrency=N`: resolves once it says it is ready to take jobs. */
async function startWorker({ layout, env, cwd, logFile, concurrency = 5, name = 'n8n worker', timeoutMs = DEFAULT_START_TIMEOUT_MS }) {
	const proc = spawnManaged(name, layout.nodeBin, [layout.n8nBin, 'worker', `--concurrency=${concurrency}`], { env, cwd, logFile });
	try {
		await proc.waitForOutput(/n8n worker is now ready/, timeoutMs);
	} catch (error) {
		await proc.stop(2000);
		throw error;
	}
	return proc;
}

/**
 * Imports workflows (each must carry its `id`) and makes them active, the CLI way: 2.x publishes
 * the current version (`publish:workflow`), 1.x sets the active flag (`update:workflow --active`).
 * Do this before `n8n start`: a running n8n does not pick up CLI changes.
 */
async function importAndActivate(layout, workflows, { env, cwd, activate = workflows.map((w) => w.id) }) {
	const file = path.join(cwd, `import-${Date.now()}.json`);
	fs.writeFileSync(file, JSON.stringify(workflows, null, 2));
	await n8nCommand(layout, ['import:workflow', `--input=${file}`], { env, cwd });
	for (const id of activate) {
		const args = majorOf(layout.version) >= 2 ? ['publish:workflow', `--id=${id}`] : ['update:workflow', `--id=${id}`, '--active=true'];
		await n8nCommand(layout, args, { env, cwd });
	}
}

/**
 * Debian's redis-server on 127.0.0.1 and a free port, without persistence (no RDB snapshots, no
 * AOF: nothing is written to disk and nothing survives the test).
 * @returns {Promise<ManagedProcess & { port: number }>}
 */
async function startRedis({ cwd, logFile, binary = 'redis-server' }) {
	const port = await freePort();
	const proc = spawnManaged('redis-server', binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--dir', cwd], {
		env: process.env,
		cwd,
		logFile,
	});
	try {
		await proc.waitForOutput(/Ready to accept connections/, 30_000);
	} catch (error) {
		await proc.stop(1000);
		throw error;
	}
	return Object.assign(proc, { port });
}

/** The newest Debian PostgreSQL server binaries (`/usr/lib/postgresql/<major>/bin`), or null. */
function postgresBinDir() {
	const root = '/usr/lib/postgresql';
	if (!fs.existsSync(root)) return null;
	const versions = fs
		.readdirSync(root)
		.filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
		.sort((a, b) => Number(b) - Number(a));
	return versions.length > 0 ? path.join(root, versions[0], 'bin') : null;
}

/**
 * A throw-away PostgreSQL server (Debian's `postgresql` package) on 127.0.0.1 and a free port, in a
 * scratch folder: `trust` authentication for the `postgres` user, fsync off (nothing here must
 * survive). n8n's queue mode needs it: with three processes writing one sqlite file, n8n answers
 * some requests with SQLITE_BUSY ("Scaling mode is not officially supported with sqlite").
 * PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user.
 * @returns {Promise<ManagedProcess & { port: number, env: Record<string,string>, dir: string }>}
 *          env: the DB_* variables that point n8n at it
 */
async function startPostgres({ logFile } = {}) {
	const bin = postgresBinDir();
	if (!bin) throw new Error('PostgreSQL server binaries not found: apt-get install -y postgresql');
	const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'n8n-e2e-pg-'));
	const data = path.join(dir, 'data');
	const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
	const prefix = asRoot ? ['runuser', '-u', 'postgres', '--'] : [];
	if (asRoot) {
		const { execFileSync } = require('node:child_process');
		const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
		const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
		fs.chownSync(dir, uid, gid);
	}
	const initdb = require('node:child_process').spawnSync(
		prefix[0] || path.join(bin, 'initdb'),
		[...prefix.slice(1), ...(asRoot ? [path.join(bin, 'initdb')] : []), '-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'],
		{ encoding: 'utf8' },
	);
	if (initdb.status !== 0) throw new Error(`initdb failed: ${initdb.stderr || initdb.error}`);
	const port = await freePort();
	const args = ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
	const command = asRoot ? 'runuser' : path.join(bin, 'postgres');
	const proc = spawnManaged('postgres', command, asRoot ? ['-u', 'postgres', '--', path.join(bin, 'postgres'), ...args] : args, { env: process.env, cwd: dir, logFile });
	try {
		await proc.waitForOutput(/database system is ready to accept connections/, 60_000);
	} catch (error) {
		await proc.stop(2000);
		throw error;
	}
	const stop = proc.stop;
	return Object.assign(proc, {
		port,
		dir,
		env: {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(port),
			DB_POSTGRESDB_DATABASE: 'postgres',
			DB_POSTGRESDB_USER: 'postgres',
			DB_POSTGRESDB_PASSWORD: '',
		},
		/** Stops the server (a fast shutdown) and removes its folder. */
		async stop(graceMs = 10_000) {
			await stop(graceMs);
			fs.rmSync(dir, { recursive: true, force: true });
		},
	});
}

/** The instance owner the suite, `npm start` and the screenshot script create on a fresh n8n. */
const DEFAULT_OWNER = { email: 'owner@example.com', firstName: 'Demo', lastName: 'Owner', password: 'Zsic-demo-1' };

/**
 * Signs in to an n8n's REST API as its owner, creating the owner first on a fresh instance
 * (what the setup page does); resolves with the `cookie` header value that authenticates later
 * requests (node types, the editor).
 */
async function ownerSession(url, owner = DEFAULT_OWNER) {
	const cookieOf = (response) => (response.headers['set-cookie'] || []).map((c) => c.split(';')[0]).join('; ');
	const setup = await request('POST', `${url}/rest/owner/setup`, owner);
	let cookie = setup.status === 200 ? cookieOf(setup) : '';
	if (cookie) return cookie;
	// The owner exists already (a reused user folder): sign in. 1.x and 2.x name the field differently.
	const login = await request('POST', `${url}/rest/login`, { emailOrLdapLoginId: owner.email, email: owner.email, password: owner.password });
	if (login.status !== 200) throw new Error(`cannot sign in to ${url}: setup ${setup.status}, login ${login.status} ${JSON.stringify(login.body).slice(0, 300)}`);
	return cookieOf(login);
}

/** The node and credential types as n8n serves them to its editor (descriptions, codex, icon URLs). */
async function loadedTypes(url, cookie) {
	const get = async (file) => {
		const response = await request('GET', `${url}/types/${file}`, undefined, { cookie });
		if (response.status !== 200 || !Array.isArray(response.body)) throw new Error(`GET /types/${file}: ${response.status}`);
		return response.body;
	};
	return { nodes: await get('nodes.json'), credentials: await get('credentials.json') };
}

/** Resident set size now and at its peak (bytes), from /proc (Linux). */
function memoryOf(pid) {
	const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	const kb = (key) => Number((new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status) || [])[1] || 0) * 1024;
	return { rss: kb('VmRSS'), peakRss: kb('VmHWM') };
}

/**
 * One HTTP request with a JSON (or no, or a Buffer) body; resolves with status, headers and the parsed body
 * (raw text when it is not JSON). Loopback only: the suite never talks to the outside world.
 */
function request(method, url, body, headers = {}) {
	return new Promise((resolve, reject) => {
		const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
		const req = http.request(
			url,
			{
				method,
				headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}), ...headers },
				timeout: 300_000,
			},
			(res) => {
				const chunks = [];
				res.on('data', (chunk) => chunks.push(chunk));
				res.on('end', () => {
					const text = Buffer.concat(chunks).toString('utf8');
					let parsed = text;
					try {
						parsed = JSON.parse(text);
					} catch {
						// not JSON
					}
					resolve({ status: res.statusCode, headers: res.headers, body: parsed });
				});
			},
		);
		req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
		req.on('error', reject);
		if (payload) req.write(payload);
		req.end();
	});
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
async function mapLimit(items, limit, fn) {
	const results = new Array(items.length);
	let next = 0;
	const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
		while (next < items.length) {
			const index = next++;
			results[index] = await fn(items[index], index);
		}
	});
	await Promise.all(workers);
	return results;
}

module.exports = {
	DEFAULT_START_TIMEOUT_MS,
	freePort,
	spawnManaged,
	n8nCommand,
	serverEnv,
	waitForHttp,
	waitForWebhook,
	startMain,
	startWorker,
	importAndActivate,
	startRedis,
	postgresBinDir,
	startPostgres,
	DEFAULT_OWNER,
	ownerSession,
	loadedTypes,
	memoryOf,
	request,
	mapLimit,
};
