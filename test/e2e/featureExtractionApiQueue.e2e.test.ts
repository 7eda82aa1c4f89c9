/**
 * The feature-extraction API in n8n's queue mode, with its PostgreSQL job store
 * (examples/feature-extraction-api-postgres.json as shipped, only its models set): Redis, a scratch
 * PostgreSQL holding n8n's database and the job table, one `n8n start` main taking the requests
 * and two `n8n worker`s running the jobs. The client is the one written from the server's OpenAPI
 * document (every answer validated). Specified:
 *  - 50 jobs posted by 10 clients (single and batched, every task) complete with the engine's results;
 *  - a worker killed (SIGKILL) in the middle of a job: the job ends `failed`, the client sees it,
 *    and the API keeps working on the other worker.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { dataUrl, REPO_ROOT } from './clipE2eFixtures';
import { apiWorkflow, loadProblems, mixedJobs, percentile, PREFIX, runLoad, waitForApi, writeApiImages, writeApiModels, type ApiModels } from './featureExtractionApiFixtures';
import type { N8nLayout } from './n8nRunner';
import type { ManagedProcess, N8nServer } from './n8nServer';
import { SEED_API_DOCUMENT, SeedApiClient, seedApiAvailable, type JobRun } from './seedApiClient';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runner = require('./n8nRunner') as typeof import('./n8nRunner');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const server = require('./n8nServer') as typeof import('./n8nServer');

const layout = runner.getN8n();
const LARGE = 'clip-vit-large-patch14';
/** The workflow's own credential: the shipped file refers to it by this id and name. */
const CREDENTIAL = { id: 'ZsicPostgres0001', name: 'Postgres' };
/** Each job holds a worker slot while it runs: 2 × 6 slots for 10 clients' jobs in flight. */
const WORKER_CONCURRENCY = 6;
const STARTED_LINE = /^Worker started execution (\d+) \(job /;

const redisAvailable = spawnSync('redis-server', ['--version']).status === 0;
const postgresAvailable = server.postgresBinDir() !== null;
const missing = [redisAvailable ? null : 'redis-server', postgresAvailable ? null : 'postgresql', seedApiAvailable ? null : SEED_API_DOCUMENT].filter(Boolean).join(' ');
if (missing && process.env.CI) throw new Error(`${missing} missing for the queue-mode API specification (.ci/run installs the Debian packages; ../shared/seed-api must be beside the repository)`);
const describeWithServices = missing ? describe.skip : describe;
if (missing) process.stderr.write(`feature-extraction API queue-mode e2e skipped: ${missing} missing\n`);

/** Rows of a query on the scratch PostgreSQL, read with n8n's own `pg` client. */
function pgRows<T>(layoutUsed: N8nLayout, port: number, sql: string, params: unknown[] = []): T[] {
	const script = `
		const [pgPath, port, sql, params] = process.argv.slice(1);
		const { Client } = require(pgPath);
		const client = new Client({ host: '127.0.0.1', port: Number(port), user: 'postgres', database: 'postgres' });
		client.connect()
			.then(() => client.query(sql, JSON.parse(params)))
			.then((result) => { process.stdout.write(JSON.stringify(result.rows)); return client.end(); })
			.catch((error) => { process.stderr.write(String(error)); process.exit(1); });`;
	const out = execFileSync(layoutUsed.nodeBin, ['-e', script, path.join(layoutUsed.n8nDir, 'node_modules', 'pg'), String(port), sql, JSON.stringify(params)], { encoding: 'utf8' });
	return JSON.parse(out) as T[];
}

describeWithServices(`feature-extraction API (PostgreSQL store) in queue mode: n8n ${layout.version} main + 2 workers`, () => {
	let userFolder: string;
	let models: ApiModels;
	let images: string[];
	let redis: ManagedProcess & { port: number };
	let postgres: ManagedProcess & { port: number; env: Record<string, string> };
	let main: N8nServer;
	const workers: ManagedProcess[] = [];
	let client: SeedApiClient;
	const report: string[] = [];

	beforeAll(async () => {
		({ userFolder } = runner.createUserFolder('n8n-e2e-fes-queue-'));
		// Model folders typed into the node are read under n8n's file-access rules: inside the allowed files/.
		models = await writeApiModels(path.join(userFolder, 'files', 'generated'));
		images = await writeApiImages(path.join(userFolder, 'files', 'images'));
		redis = await server.startRedis({ cwd: userFolder, logFile: path.join(userFolder, 'redis.log') });
		postgres = await server.startPostgres({ logFile: path.join(userFolder, 'postgres.log') });
		const shared = {
			...postgres.env,
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			N8N_DEFAULT_BINARY_DATA_MODE: 'database',
			N8N_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
			// n8n marks a dead worker's executions crashed on this schedule (minutes; 3 by default).
			N8N_EXECUTIONS_QUEUE_RECOVERY_INTERVAL: '1',
		};
		const port = await server.freePort();
		const mainEnv = await server.serverEnv({ layout, userFolder, port, customExtensions: [REPO_ROOT], logLevel: 'info', env: shared });
		// The workflow's credential, for n8n's own database (the store's upkeep reads execution_entity).
		const credentialFile = path.join(userFolder, 'credentials.json');
		const data = { host: '127.0.0.1', port: postgres.port, database: 'postgres', user: 'postgres', password: '', ssl: 'disable', allowUnauthorizedCerts: false, sshTunnel: false };
		writeFileSync(credentialFile, JSON.stringify([{ ...CREDENTIAL, type: 'postgres', data }]));
		await server.n8nCommand(layout, ['import:credentials', `--input=${credentialFile}`], { env: mainEnv, cwd: userFolder });
		await server.importAndActivate(layout, [apiWorkflow('postgres', models)], { env: mainEnv, cwd: userFolder });
		const started = Date.now();
		main = await server.startMain({ layout, env: mainEnv, cwd: userFolder, logFile: path.join(userFolder, 'main.log') });
		const workerEnvs = await Promise.all([1, 2].map(() => server.serverEnv({ layout, userFolder, customExtensions: [REPO_ROOT], logLevel: 'info', env: shared })));
		workers.push(
			...(await Promise.all(
				workerEnvs.map((env, i) =>
					server.startWorker({ layout, env, cwd: userFolder, concurrency: WORKER_CONCURRENCY, name: `worker ${i + 1}`, logFile: path.join(userFolder, `worker-${i + 1}.log`) }),
				),
			)),
		);
		client = new SeedApiClient(`${main.url}/webhook/${PREFIX}`, server.request);
		await waitForApi(client.baseUrl, server.request, 180_000);
		report.push(`main + 2 workers up and the API answering: ${Date.now() - started} ms`);
	}, 400_000);

	afterAll(async () => {
		await Promise.all(workers.map((worker) => worker.stop()));
		if (main) await main.stop();
		if (redis) await redis.stop();
		if (postgres) await postgres.stop();
		if (userFolder) runner.removeUserFolder(userFolder);
		process.stderr.write(`\n[feature-extraction API e2e, queue mode, n8n ${layout.version}]\n  ${report.join('\n  ')}\n`);
	});

	const executionsStartedBy = (worker: ManagedProcess): string[] =>
		worker
			.records()
			.map((record) => STARTED_LINE.exec(record.message))
			.filter((match): match is RegExpExecArray => match !== null)
			.map((match) => match[1]);

	test('50 jobs posted by 10 clients at once (single and batched, every task) all complete with the engine’s results', async () => {
		const jobs = mixedJobs(50, images, models);
		const { runs, wallMs } = await runLoad(client, jobs, 10);
		expect(loadProblems(jobs, runs)).toEqual([]);
		const done = runs as JobRun[];
		expect(new Set(done.map((run) => run.id)).size).toBe(50);
		const idMs = done.map((run) => run.idMs);
		const perWorker = workers.map((worker) => executionsStartedBy(worker).length);
		report.push(`50 jobs, 10 clients: ${wallMs} ms; POST → id median ${percentile(idMs, 50)} ms, p95 ${percentile(idMs, 95)} ms; executions per worker: ${perWorker.join(' / ')}`);
		// Both workers ran executions, at least one per job (the polls and the minute's upkeep run there too).
		expect(Math.min(...perWorker)).toBeGreaterThan(0);
		expect(perWorker.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(50);
	}, 400_000);

	test('a worker killed in the middle of a job: the job ends failed, the client sees it, the other worker goes on', async () => {
		const batch = Array.from({ length: 64 }, (_, i) => dataUrl(images[i % images.length]));
		const posted = await client.postJob('image-embedding', 'slow-clip', { image: batch }, true);
		expect(posted.status).toBe(200);
		const { id } = posted.body as { id: string };
		let executionId = '';
		for (let i = 0; ; i++) {
			const state = (await client.getJob('image-embedding', id, true)).body as { status: string };
			const [row] = pgRows<{ execution_id: string | null }>(layout, postgres.port, 'SELECT execution_id FROM feature_extraction_jobs WHERE job_id = $1', [id]);
			executionId = row?.execution_id ?? '';
			if (state.status === 'running' && executionId) break;
			if (i > 300 || state.status === 'complete' || state.status === 'failed') throw new Error(`the job never ran long enough to be interrupted: ${JSON.stringify(state)}`);
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		const victim = workers.find((worker) => executionsStartedBy(worker).includes(executionId));
		if (!victim) throw new Error(`no worker said it started execution ${executionId}`);
		// No graceful shutdown: the worker dies mid-inference, as on an OOM kill.
		process.kill(-victim.pid, 'SIGKILL');
		await victim.exit;
		const killed = Date.now();
		let answer: { status: string; error?: string } = { status: '' };
		for (const deadline = Date.now() + 300_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 1000))) {
			answer = (await client.getJob('image-embedding', id, true)).body as { status: string; error?: string };
			if (answer.status === 'failed' || answer.status === 'complete') break;
		}
		expect(answer.status).toBe('failed');
		expect(answer.error).toMatch(/execution ended without a result/);
		report.push(`worker killed: the job read as failed ${Date.now() - killed} ms later (recovery interval 1 min + the store's minute upkeep)`);
		// The other worker still serves the API.
		const after = await client.run('text-embedding', LARGE, { text: 'still here' });
		expect(after.status).toBe('complete');
	}, 420_000);
});
