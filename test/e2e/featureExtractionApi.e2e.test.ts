/**
 * examples/feature-extraction-api.json (the data table store) in a real `n8n start`: the replaced
 * server's HTTP API, driven by a client written from that server's OpenAPI document
 * (test/e2e/seedApiClient.ts), every answer validated against the document. Specified: the job
 * routes of the three tasks (single and batched) give the engine's own numbers; the legacy and
 * listing routes; 404 and the 422s (no job made); failed jobs say why; a job whose execution dies
 * with n8n ends failed after the restart; 50 jobs from 10 clients at once all complete right.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { dataUrl, REPO_ROOT, runReference } from './clipE2eFixtures';
import {
	API_TOLERANCE,
	apiWorkflow,
	loadProblems,
	mixedJobs,
	percentile,
	PREFIX,
	resultDifference,
	runLoad,
	waitForApi,
	writeApiImages,
	writeApiModels,
	type ApiModels,
} from './featureExtractionApiFixtures';
import type { N8nServer } from './n8nServer';
import { SeedApiClient, seedApiAvailable, SEED_API_DOCUMENT, type JobRun } from './seedApiClient';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runner = require('./n8nRunner') as typeof import('./n8nRunner');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const server = require('./n8nServer') as typeof import('./n8nServer');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const examples = require('../../scripts/exampleWorkflows') as { presetIds(): string[] };

const layout = runner.getN8n();
const ZSIC = 'zero-shot-image-classification';
const LARGE = 'clip-vit-large-patch14';
const MULTILINGUAL = 'open-clip-vit-b32';

if (!seedApiAvailable && process.env.CI) throw new Error(`${SEED_API_DOCUMENT} is missing: the API specification needs ../shared/seed-api`);
const describeWithDocument = seedApiAvailable ? describe : describe.skip;
if (!seedApiAvailable) process.stderr.write(`feature-extraction API e2e skipped: ${SEED_API_DOCUMENT} is absent (../shared/seed-api)\n`);

/** Rows of the job store's data table, read from n8n's sqlite database with n8n's own Node and sqlite3. */
function storedJobCount(userFolder: string): number {
	const script = `
		const [sqlitePath, database] = process.argv.slice(1);
		const sqlite3 = require(sqlitePath);
		const db = new sqlite3.Database(database, sqlite3.OPEN_READONLY);
		db.get("SELECT d.id FROM data_table d WHERE d.name = 'feature_extraction_jobs'", (error, table) => {
			if (error || !table) { process.stderr.write(String(error || 'no job table')); process.exit(1); }
			db.get('SELECT COUNT(*) AS n FROM "data_table_user_' + table.id + '"', (e, row) => { if (e) { process.stderr.write(String(e)); process.exit(1); } process.stdout.write(String(row.n)); });
		});`;
	const out = execFileSync(layout.nodeBin, ['-e', script, path.join(layout.n8nDir, 'node_modules', 'sqlite3'), path.join(userFolder, '.n8n', 'database.sqlite')], { encoding: 'utf8' });
	return Number(out);
}

describeWithDocument(`feature-extraction API (data table store) in n8n ${layout.version}`, () => {
	let userFolder: string;
	let models: ApiModels;
	let images: string[];
	let main: N8nServer | undefined;
	let client: SeedApiClient;
	let port: number;
	const report: string[] = [];

	async function startN8n(): Promise<void> {
		const env = await server.serverEnv({ layout, userFolder, port, customExtensions: [REPO_ROOT], logLevel: 'info' });
		main = await server.startMain({ layout, env, cwd: userFolder, logFile: path.join(userFolder, `main-${Date.now()}.log`) });
		await waitForApi(client.baseUrl, server.request);
	}

	beforeAll(async () => {
		({ userFolder } = runner.createUserFolder('n8n-e2e-fes-'));
		// Model folders typed into the node are read under n8n's file-access rules: inside the allowed files/.
		models = await writeApiModels(path.join(userFolder, 'files', 'generated'));
		images = await writeApiImages(path.join(userFolder, 'files', 'images'));
		port = await server.freePort();
		client = new SeedApiClient(`http://127.0.0.1:${port}/webhook/${PREFIX}`, server.request);
		const env = await server.serverEnv({ layout, userFolder, port, customExtensions: [REPO_ROOT], logLevel: 'info' });
		await server.importAndActivate(layout, [apiWorkflow('dataTable', models)], { env, cwd: userFolder });
		const started = Date.now();
		await startN8n();
		report.push(`n8n up and the API answering: ${Date.now() - started} ms`);
	}, 240_000);

	afterAll(async () => {
		if (main) await main.stop();
		if (userFolder) runner.removeUserFolder(userFolder);
		process.stderr.write(`\n[feature-extraction API e2e (data table store), n8n ${layout.version}]\n  ${report.join('\n  ')}\n`);
	});

	const reference = (model: keyof ApiModels, files: string[], classes: string[]) => runReference({ model: models[model], requests: files.map((file) => ({ file, classes })) }).results as Array<{ probabilities: number[] }>;

	test.each([LARGE, MULTILINGUAL] as const)('a zero-shot job (%s) answers its id at once and, polled every 100 ms, completes with the engine’s probabilities in class order', async (model) => {
		const classes = ['red stripes', 'yellow blob', 'static noise'];
		const run = await client.run<{ probabilities: number[] }>(ZSIC, model, { image: dataUrl(images[0]), classes });
		expect(run.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		expect(run.status).toBe('complete');
		const [expected] = reference(model, [images[0]], classes);
		expect(run.result?.probabilities).toHaveLength(3);
		expect(resultDifference(run.result, expected)).toBeLessThan(API_TOLERANCE);
		report.push(`${model}: id in ${run.idMs} ms, complete after ${run.polls} polls, ${run.totalMs} ms`);
	});

	test('a complete job can be read again (a client that polls twice does not break)', async () => {
		const run = await client.run(ZSIC, LARGE, { image: dataUrl(images[1]), classes: ['a', 'b'] });
		const again = await client.getJob(ZSIC, run.id);
		expect(again.status).toBe(200);
		expect(again.body).toEqual({ status: 'complete', result: run.result });
	});

	test('a batched zero-shot job lists each image’s probabilities in image order (one class list for all)', async () => {
		const files = [images[2], images[0], images[4]];
		const classes = ['colour gradient', 'red stripes'];
		const run = await client.run<Array<{ probabilities: number[] }>>(ZSIC, LARGE, { image: files.map(dataUrl), classes }, { batched: true });
		expect(run.status).toBe('complete');
		expect(run.result).toHaveLength(3);
		expect(resultDifference(run.result, reference(LARGE, files, classes))).toBeLessThan(API_TOLERANCE);
	});

	test('image and text embedding jobs, single and batched, are the engine’s L2-normalized embeddings', async () => {
		const files = [images[3], images[5]];
		const texts = ['a red bicycle', 'Ein Hund im Schnee'];
		const expected = runReference({ model: models[MULTILINGUAL], requests: [], imageEmbeddings: files.map((file) => ({ file })), textEmbeddings: texts });
		const single = await client.run<{ embedding: number[] }>('image-embedding', MULTILINGUAL, { image: dataUrl(files[0]) });
		const batched = await client.run('image-embedding', MULTILINGUAL, { image: files.map(dataUrl) }, { batched: true });
		const text = await client.run<{ embedding: number[] }>('text-embedding', MULTILINGUAL, { text: texts[0] });
		const texts2 = await client.run('text-embedding', MULTILINGUAL, { text: texts }, { batched: true });
		const images2 = expected.imageEmbeddings as number[][];
		const texts3 = expected.textEmbeddings as number[][];
		expect(resultDifference(single.result, { embedding: images2[0] })).toBeLessThan(API_TOLERANCE);
		expect(resultDifference(batched.result, images2.map((embedding) => ({ embedding })))).toBeLessThan(API_TOLERANCE);
		expect(resultDifference(text.result, { embedding: texts3[0] })).toBeLessThan(API_TOLERANCE);
		expect(resultDifference(texts2.result, texts3.map((embedding) => ({ embedding })))).toBeLessThan(API_TOLERANCE);
		expect(Math.hypot(...(single.result?.embedding ?? []))).toBeCloseTo(1, 5);
		expect(Math.hypot(...(text.result?.embedding ?? []))).toBeCloseTo(1, 5);
	});

	test('config: the prompt template changes the scores; threshold and multi_label add the matched labels', async () => {
		const classes = ['red stripes', 'yellow blob'];
		const image = dataUrl(images[0]);
		const plain = await client.run<{ probabilities: number[] }>(ZSIC, LARGE, { image, classes });
		const templated = await client.run<{ probabilities: number[] }>(ZSIC, LARGE, { image, classes, config: { template: 'a picture of {}' } });
		const expected = runReference({ model: models[LARGE], template: 'a picture of {}', requests: [{ file: images[0], classes }] }).results[0];
		expect(resultDifference(templated.result, expected)).toBeLessThan(API_TOLERANCE);
		expect(resultDifference(templated.result, plain.result)).toBeGreaterThan(1e-4);
		const matched = await client.run<{ probabilities: number[]; labels: string[]; matched: boolean }>(ZSIC, LARGE, { image, classes, config: { threshold: 0.01, multi_label: true } });
		expect(matched.result?.labels).toEqual(expect.arrayContaining(classes));
		expect(matched.result?.matched).toBe(true);
	});

	test('the legacy routes answer the result object itself, for the three tasks', async () => {
		const classes = ['green checker', 'static noise'];
		const zeroShot = await client.legacy(ZSIC, LARGE, { image: dataUrl(images[1]), classes });
		expect(zeroShot.status).toBe(200);
		expect(resultDifference(zeroShot.body, reference(LARGE, [images[1]], classes)[0])).toBeLessThan(API_TOLERANCE);
		const expected = runReference({ model: models[LARGE], requests: [], imageEmbeddings: [{ file: images[1] }], textEmbeddings: ['a cat on a sofa'] });
		const image = await client.legacy('image-embedding', LARGE, { image: dataUrl(images[1]) });
		expect(resultDifference(image.body, { embedding: (expected.imageEmbeddings as number[][])[0] })).toBeLessThan(API_TOLERANCE);
		const text = await client.legacy('text-embedding', LARGE, { text: 'a cat on a sofa' });
		expect(resultDifference(text.body, { embedding: (expected.textEmbeddings as number[][])[0] })).toBeLessThan(API_TOLERANCE);
	});

	test('a legacy job that fails answers 500 with the reason, as the server raised it', async () => {
		const answer = await client.legacy(ZSIC, LARGE, { image: Buffer.from('not an image').toString('base64'), classes: ['a', 'b'] });
		expect(answer.status).toBe(500);
		expect((answer.body as { detail: string }).detail).toMatch(/not a readable image/);
	});

	test('the listing routes name the three tasks, the server’s model names and every preset', async () => {
		const tasks = ['zero-shot-image-classification', 'image-embedding', 'text-embedding'];
		const presets = examples.presetIds();
		expect((await client.call('GET', '/api/tasks', {})).body).toEqual(tasks);
		const names = (await client.call<string[]>('GET', '/api/models', {})).body;
		expect(names).toEqual(expect.arrayContaining([LARGE, MULTILINGUAL, ...presets]));
		expect((await client.call('GET', '/api/tasks/{task}/models', { task: 'text-embedding' })).body).toEqual(names);
		expect((await client.call('GET', '/api/models/{model}/tasks', { model: MULTILINGUAL })).body).toEqual(tasks);
	});

	test('an unknown job id is a 404 {"detail": "Job not found"}, and so is a job read on another task’s route', async () => {
		const unknown = await client.getJob(ZSIC, 'b7d1f1d4-7a36-4c3e-9f69-6a1f2e9a0c11');
		expect(unknown).toMatchObject({ status: 404, body: { detail: 'Job not found' } });
		const run = await client.run('text-embedding', LARGE, { text: 'hello' });
		expect((await client.getJob(ZSIC, run.id)).status).toBe(404);
		expect((await client.getJob('text-embedding', run.id, true)).status).toBe(404);
	});

	test('bodies that do not fit the schema are answered 422 in FastAPI’s shape, naming the field, and make no job', async () => {
		const before = storedJobCount(userFolder);
		const cases: Array<[string, unknown, boolean, string, string[]]> = [
			['no image', { classes: ['a'] }, false, LARGE, ['body', 'image']],
			['classes not a list of strings', { image: dataUrl(images[0]), classes: ['a', 3] }, false, LARGE, ['body', 'classes', '1']],
			['classes not a list', { image: dataUrl(images[0]), classes: 'a, b' }, false, LARGE, ['body', 'classes']],
			['a batched image that is not a list', { image: dataUrl(images[0]), classes: ['a'] }, true, LARGE, ['body', 'image']],
			['an unknown model', { image: dataUrl(images[0]), classes: ['a'] }, false, 'no-such-model', ['path', 'model']],
		];
		for (const [what, body, batched, model, loc] of cases) {
			const answer = await client.postJob(ZSIC, model, body, batched);
			expect({ what, status: answer.status }).toEqual({ what, status: 422 });
			const detail = (answer.body as { detail: Array<{ loc: Array<string | number>; msg: string }> }).detail;
			expect({ what, locs: detail.map((d) => d.loc.map(String)) }).toEqual({ what, locs: expect.arrayContaining([loc]) });
			if (model === 'no-such-model') expect(detail[0].msg).toContain(`'${LARGE}'`);
		}
		const text = await client.postJob('text-embedding', LARGE, { text: 42 });
		expect(text.status).toBe(422);
		expect(storedJobCount(userFolder)).toBe(before);
	});

	test('an image that does not decode ends the job failed, naming the cause; in a batch, naming the image', async () => {
		const single = await client.run(ZSIC, LARGE, { image: 'data:image/png;base64,' + Buffer.from('not an image').toString('base64'), classes: ['a', 'b'] });
		expect(single.status).toBe('failed');
		expect(single.error).toMatch(/not a readable image/);
		const batch = await client.run('image-embedding', LARGE, { image: [dataUrl(images[0]), 'bm90IGFuIGltYWdl', dataUrl(images[1])] }, { batched: true });
		expect(batch.status).toBe('failed');
		expect(batch.error).toMatch(/image 2 of 3: .*not a readable image/);
	});

	test('a class list the engine refuses (empty, duplicates) ends the job failed, saying why', async () => {
		const empty = await client.run(ZSIC, LARGE, { image: dataUrl(images[0]), classes: [] });
		expect(empty).toMatchObject({ status: 'failed' });
		expect(empty.error).toMatch(/class/i);
		const duplicates = await client.run(ZSIC, LARGE, { image: dataUrl(images[0]), classes: ['cat', 'dog', 'cat'] });
		expect(duplicates.status).toBe('failed');
		expect(duplicates.error).toMatch(/cat/);
	});

	test('50 jobs posted by 10 clients at once (single and batched, every task) all complete with the engine’s results', async () => {
		const jobs = mixedJobs(50, images, models);
		const { runs, wallMs } = await runLoad(client, jobs, 10);
		expect(loadProblems(jobs, runs)).toEqual([]);
		const done = runs as JobRun[];
		expect(new Set(done.map((run) => run.id)).size).toBe(50);
		const idMs = done.map((run) => run.idMs);
		report.push(`50 jobs, 10 clients: ${wallMs} ms; POST → id median ${percentile(idMs, 50)} ms, p95 ${percentile(idMs, 95)} ms`);
	}, 300_000);

	test('a job whose execution dies with n8n ends failed once n8n is back, and the client sees it', async () => {
		// A batch of the slow model, so that the job is still running when n8n is killed.
		const batch = Array.from({ length: 64 }, (_, i) => dataUrl(images[i % images.length]));
		const posted = await client.postJob('image-embedding', 'slow-clip', { image: batch }, true);
		expect(posted.status).toBe(200);
		const { id } = posted.body as { id: string };
		for (let i = 0; ; i++) {
			const state = (await client.getJob('image-embedding', id, true)).body as { status: string };
			if (state.status === 'running') break;
			if (i > 300 || state.status === 'complete' || state.status === 'failed') throw new Error(`the job never ran long enough to be interrupted: ${JSON.stringify(state)}`);
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		// No graceful shutdown: the process dies mid-inference, as on a crash or an OOM kill.
		process.kill(-(main as N8nServer).pid, 'SIGKILL');
		await (main as N8nServer).exit;
		const restarted = Date.now();
		await startN8n();
		let answer: { status: string; error?: string } = { status: '' };
		for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 500))) {
			answer = (await client.getJob('image-embedding', id, true)).body as { status: string; error?: string };
			if (answer.status === 'failed' || answer.status === 'complete') break;
		}
		expect(answer.status).toBe('failed');
		expect(answer.error).toMatch(/execution ended without a result/);
		report.push(`restart: the interrupted job read as failed ${Date.now() - restarted} ms after n8n was started again`);
		// The API works again after the restart.
		const after = await client.run('text-embedding', LARGE, { text: 'back again' });
		expect(after.status).toBe('complete');
	}, 300_000);
});
