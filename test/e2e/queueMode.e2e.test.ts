/**
 * The node in n8n's queue mode, the way users scale out: Redis (Debian's redis-server on
 * 127.0.0.1, no persistence), PostgreSQL (Debian's, a scratch cluster), one `n8n start` main
 * process taking the webhook requests and two `n8n worker` processes running the executions, all
 * sharing that database and one models cache folder. The model is a Hub repo served by a local stand-in for huggingface.co (HF_ENDPOINT), so
 * its download is observable too.
 *
 * At least 20 executions fire concurrently (bounded, loopback only): half through the HTTP API
 * example (images as data URLs in JSON), half as multipart uploads to a second webhook, whose
 * image travels as binary data in `database` mode (n8n 2.x's queue-mode default; filesystem
 * binary data is not supported in queue mode). Specified:
 *  - every response carries the probabilities the engine computes for that request;
 *  - nothing is lost: every request answered, every execution stored as a success;
 *  - both workers worked, and each loaded the model once (the node's debug line counts the loads
 *    of its process), and the shared cache made the model download happen once in total;
 *  - the memory (RSS) each worker needs is measured and printed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { MockHub } from '../hub/mockHub';
import {
	dataUrl,
	DEFAULT_TEMPLATE,
	maxAbsDifference,
	NODE_TYPE,
	referenceClassifications,
	REPO_ROOT,
	SAME_ENGINE_TOLERANCE,
	writeImages,
	writeModels,
	type Classification,
	type ImageSpec,
} from './clipE2eFixtures';
import type { N8nLayout, Workflow } from './n8nRunner';
import type { ManagedProcess, N8nServer } from './n8nServer';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runner = require('./n8nRunner') as typeof import('./n8nRunner');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const server = require('./n8nServer') as typeof import('./n8nServer');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const examples = require('../../scripts/exampleWorkflows') as {
	loadExample(name: 'httpApi'): Workflow;
	withModel<W>(workflow: W, model: string): W;
	PACKAGE_NAME: string;
};

const layout = runner.getN8n();
const HUB_REPO = 'e2e-org/tiny-clip';
const EXECUTIONS = 24;
const IN_FLIGHT = 12;
const WORKER_CONCURRENCY = 5;
const UPLOAD_PATH = 'zsic-queue-upload';
const LOAD_LINE = /^Zero-shot classification of (\d+) item\(s\) with .* \(model loads in this process: (\d+)\)$/;
const MB = 1024 * 1024;

// Queue mode needs Redis and (for several processes sharing one database) PostgreSQL: n8n answers
// some requests with SQLITE_BUSY when a main and two workers write one sqlite file.
const redisAvailable = spawnSync('redis-server', ['--version']).status === 0;
const postgresAvailable = server.postgresBinDir() !== null;
const missing = [redisAvailable ? null : 'redis-server', postgresAvailable ? null : 'postgresql'].filter(Boolean).join(' ');
if (missing && process.env.CI) throw new Error(`${missing} missing: .ci/run installs it (apt-get install -y ${missing})`);
const describeWithServices = missing ? describe.skip : describe;
if (missing) process.stderr.write(`queue-mode e2e skipped: apt-get install -y ${missing}\n`);

/** Webhook (multipart upload, file field `image`, classes in the `classes` form field) → classify the binary → probabilities. */
function uploadWorkflow(model: string): Workflow {
	return {
		id: 'ZsicQueueUpload1',
		name: 'queue-mode upload',
		nodes: [
			{
				id: 'u1',
				name: 'Upload',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2.1,
				position: [0, 0],
				webhookId: '0d6b6f2e-57b4-4b0e-a1d6-9b2f3c4d5e6f',
				parameters: { httpMethod: 'POST', path: UPLOAD_PATH, responseMode: 'responseNode', options: {} },
			},
			{
				id: 'u2',
				name: 'Classify',
				type: NODE_TYPE,
				typeVersion: 1,
				position: [220, 0],
				parameters: { model: 'custom', customModel: model, imageSource: 'binary', binaryPropertyName: 'image', classes: '={{ $json.body.classes }}', options: {} },
			},
			{
				id: 'u3',
				name: 'Respond',
				type: 'n8n-nodes-base.respondToWebhook',
				typeVersion: 1.1,
				position: [440, 0],
				parameters: { respondWith: 'json', responseBody: '={{ { "probabilities": $json.probabilities } }}', options: {} },
			},
		],
		connections: {
			Upload: { main: [[{ node: 'Classify', type: 'main', index: 0 }]] },
			Classify: { main: [[{ node: 'Respond', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

function multipart(fields: Record<string, string>, file: { field: string; name: string; type: string; content: Buffer }): { body: Buffer; contentType: string } {
	const boundary = `----zsic${Date.now().toString(16)}${Math.random().toString(16).slice(2)}`;
	const parts: Buffer[] = [];
	for (const [name, value] of Object.entries(fields)) {
		parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
	}
	parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`));
	parts.push(file.content, Buffer.from(`\r\n--${boundary}--\r\n`));
	return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Executions of the given workflows in n8n's database, by status (read with n8n's own `pg` client). */
function executionStatuses(layoutUsed: N8nLayout, port: number, workflowIds: string[]): Record<string, number> {
	const script = `
		const [pgPath, port, ids] = process.argv.slice(1);
		const { Client } = require(pgPath);
		const client = new Client({ host: '127.0.0.1', port: Number(port), user: 'postgres', database: 'postgres' });
		client.connect()
			.then(() => client.query('SELECT status, COUNT(*)::int AS n FROM execution_entity WHERE "workflowId" = ANY($1) GROUP BY status', [JSON.parse(ids)]))
			.then((result) => { process.stdout.write(JSON.stringify(result.rows)); return client.end(); })
			.catch((error) => { process.stderr.write(String(error)); process.exit(1); });`;
	const out = execFileSync(layoutUsed.nodeBin, ['-e', script, path.join(layoutUsed.n8nDir, 'node_modules', 'pg'), String(port), JSON.stringify(workflowIds)], { encoding: 'utf8' });
	return Object.fromEntries((JSON.parse(out) as Array<{ status: string; n: number }>).map((row) => [row.status, row.n]));
}

function rotate<T>(list: T[], by: number): T[] {
	return [...list.slice(by % list.length), ...list.slice(0, by % list.length)];
}

describeWithServices(`queue mode: n8n ${layout.version} main + 2 workers + Redis + PostgreSQL`, () => {
	let userFolder: string;
	let hub: MockHub;
	let redis: ManagedProcess & { port: number };
	let postgres: ManagedProcess & { port: number; env: Record<string, string> };
	let main: N8nServer;
	const workers: ManagedProcess[] = [];
	let modelFolder: string;
	let images: string[];
	const report: string[] = [];
	const idle: Array<{ rss: number }> = [];

	beforeAll(async () => {
		({ userFolder } = runner.createUserFolder('n8n-e2e-queue-'));
		const files = path.join(userFolder, 'files');
		// Model folders typed into the node are read under n8n's file-access rules: inside the allowed files/.
		modelFolder = (await writeModels(path.join(userFolder, 'files', 'generated'))).hf;
		const specs: ImageSpec[] = [];
		for (const seed of [0, 1]) {
			for (const kind of ['stripes', 'checker', 'gradient', 'blobs', 'noise'] as const) specs.push({ name: `${kind}-${seed}.jpg`, kind, format: 'jpeg', seed });
		}
		images = await writeImages(path.join(files, 'images'), specs);

		// The generated model, served as a Hub repo (only the files a transformers.js repo has).
		hub = await MockHub.start();
		const repoFiles = (readdirSync(modelFolder, { recursive: true }) as string[])
			.map((file) => file.split(path.sep).join('/'))
			.filter((file) => /\.(json|onnx)$/.test(file));
		hub.addRepo({ repo: HUB_REPO, files: repoFiles.map((file) => ({ path: file, content: readFileSync(path.join(modelFolder, file)) })) });

		redis = await server.startRedis({ cwd: userFolder, logFile: path.join(userFolder, 'redis.log') });
		postgres = await server.startPostgres({ logFile: path.join(userFolder, 'postgres.log') });
		const shared = {
			...postgres.env,
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			// 2.x: `database` (its queue-mode default, said explicitly); 1.x keeps binary data in the execution data.
			N8N_DEFAULT_BINARY_DATA_MODE: layout.needsNode24 ? 'database' : 'default',
			// One models cache for every process, and the Hub stand-in.
			N8N_ZSIC_MODELS_DIR: path.join(userFolder, 'models-cache'),
			HF_ENDPOINT: hub.endpoint,
			// Main and workers must share it (they would also read it from the shared user folder's config).
			N8N_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
		};
		const port = await server.freePort();
		const mainEnv = await server.serverEnv({ layout, userFolder, port, customExtensions: [REPO_ROOT], logLevel: 'info', env: shared });
		const workflows = [examples.withModel(examples.loadExample('httpApi'), HUB_REPO), uploadWorkflow(HUB_REPO)].map((workflow) =>
			runner.rewriteNodeTypes(workflow, examples.PACKAGE_NAME, runner.CUSTOM_PACKAGE_NAME),
		);
		let started = Date.now();
		await server.importAndActivate(layout, workflows, { env: mainEnv, cwd: userFolder });
		report.push(`import + activate: ${Date.now() - started} ms`);
		started = Date.now();
		main = await server.startMain({ layout, env: mainEnv, cwd: userFolder, logFile: path.join(userFolder, 'main.log') });
		await server.waitForWebhook(`${main.url}/webhook/zero-shot-image-classification`, { proc: main });
		await server.waitForWebhook(`${main.url}/webhook/${UPLOAD_PATH}`, { proc: main });
		report.push(`main ready (webhooks registered): ${Date.now() - started} ms`);
		started = Date.now();
		const workerEnvs = await Promise.all([1, 2].map(() => server.serverEnv({ layout, userFolder, customExtensions: [REPO_ROOT], logLevel: 'debug', env: shared })));
		workers.push(
			...(await Promise.all(
				workerEnvs.map((env, i) =>
					server.startWorker({ layout, env, cwd: userFolder, concurrency: WORKER_CONCURRENCY, name: `worker ${i + 1}`, logFile: path.join(userFolder, `worker-${i + 1}.log`) }),
				),
			)),
		);
		report.push(`2 workers ready: ${Date.now() - started} ms`);
		for (const worker of workers) idle.push(server.memoryOf(worker.pid));
	});

	afterAll(async () => {
		await Promise.all(workers.map((worker) => worker.stop()));
		if (main) await main.stop();
		if (redis) await redis.stop();
		if (postgres) await postgres.stop();
		if (hub) await hub.stop();
		if (userFolder) runner.removeUserFolder(userFolder);
		process.stderr.write(`\n[queue mode e2e, n8n ${layout.version}]\n  ${report.join('\n  ')}\n`);
	});

	test(`${EXECUTIONS} concurrent executions: every answer right, nothing lost, one model load per worker`, async () => {
		const baseClasses = ['red stripes', 'green checker', 'colour gradient', 'yellow blob', 'static noise'];
		const requests = Array.from({ length: EXECUTIONS }, (_, i) => ({
			file: images[i % images.length],
			classes: rotate(baseClasses, i).slice(0, 2 + (i % 4)),
			upload: i % 2 === 1,
		}));
		const expected: Classification[] = referenceClassifications({ model: modelFolder, template: DEFAULT_TEMPLATE, requests });

		const started = Date.now();
		const responses = await server.mapLimit(requests, IN_FLIGHT, async (r) => {
			if (!r.upload) return server.request('POST', `${main.url}/webhook/zero-shot-image-classification`, { image: dataUrl(r.file), classes: r.classes });
			const { body, contentType } = multipart({ classes: r.classes.join(', ') }, { field: 'image', name: path.basename(r.file), type: 'image/jpeg', content: readFileSync(r.file) });
			return server.request('POST', `${main.url}/webhook/${UPLOAD_PATH}`, body, { 'content-type': contentType, 'content-length': String(body.length) });
		});
		const wallMs = Date.now() - started;

		// Every request answered with the engine's probabilities for its own image and classes.
		const failed = responses.map((response, i) => ({ i, upload: requests[i].upload, status: response.status, body: response.body })).filter((r) => r.status !== 200);
		if (failed.length > 0) {
			const errors = [main, ...workers].flatMap((proc) =>
				proc
					.records()
					.filter((record) => record.level === 'error' || record.level === 'warn')
					.map((record) => `${proc.name}: ${record.message.split('\n')[0]}`),
			);
			throw new Error(`${failed.length} request(s) failed: ${JSON.stringify(failed).slice(0, 2000)}\nn8n said:\n${errors.slice(-30).join('\n')}`);
		}
		responses.forEach((response, i) => {
			expect({ i, status: response.status }).toEqual({ i, status: 200 });
			const { probabilities } = response.body as { probabilities: number[] };
			expect(maxAbsDifference(probabilities, expected[i].probabilities)).toBeLessThan(SAME_ENGINE_TOLERANCE);
		});

		// Nothing lost: every execution is stored, as a success (workers finish writing just after responding).
		const ids = ['ZsicHttpApi00001', 'ZsicQueueUpload1'];
		let statuses: Record<string, number> = {};
		for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 500))) {
			statuses = executionStatuses(layout, postgres.port, ids);
			if ((statuses.success ?? 0) >= EXECUTIONS) break;
		}
		expect(statuses).toEqual({ success: EXECUTIONS });

		// Who ran what, and how often each worker loaded the model.
		const perWorker = workers.map((worker) => {
			const runs = worker
				.records()
				.map((record) => LOAD_LINE.exec(record.message))
				.filter((match): match is RegExpExecArray => match !== null);
			return { executions: runs.length, loads: Math.max(0, ...runs.map((m) => Number(m[2]))) };
		});
		expect(perWorker.reduce((sum, w) => sum + w.executions, 0)).toBe(EXECUTIONS);
		for (const worker of perWorker) {
			expect(worker.executions).toBeGreaterThan(0);
			expect(worker.loads).toBe(1);
		}
		// The main process only took the requests: it never classified.
		expect(main.output()).not.toMatch(/Zero-shot classification of/);

		// One download in total: the workers share the cache folder, and its lock.
		const downloaded = [...new Set(hub.requests.filter((r) => r.repo === HUB_REPO && r.file && (r.kind === 'cdn' || r.kind === 'resolve-cache')).map((r) => r.file as string))];
		expect(downloaded.length).toBeGreaterThan(0);
		for (const file of downloaded) expect({ file, transfers: hub.transfers(HUB_REPO, file).length }).toEqual({ file, transfers: 1 });

		const memory = workers.map((worker) => server.memoryOf(worker.pid));
		report.push(`${EXECUTIONS} executions (${EXECUTIONS / 2} JSON, ${EXECUTIONS / 2} multipart uploads), ${IN_FLIGHT} in flight, worker concurrency ${WORKER_CONCURRENCY}: ${wallMs} ms`);
		perWorker.forEach((w, i) => {
			report.push(
				`worker ${i + 1}: ${w.executions} executions, ${w.loads} model load(s); RSS idle ${(idle[i].rss / MB).toFixed(0)} MB, after ${(memory[i].rss / MB).toFixed(0)} MB, peak ${(memory[i].peakRss / MB).toFixed(0)} MB`,
			);
		});
		report.push(`main: RSS ${(server.memoryOf(main.pid).rss / MB).toFixed(0)} MB; model files downloaded once each: ${downloaded.length}`);
	});
});
