/**
 * Models run on inference threads (engine/onnx/inferenceThread.ts) when the engine runs compiled,
 * as it does in n8n and the CLI: onnxruntime-node's `run` is synchronous, and on n8n's own thread
 * every batch froze the instance. Specified here on the engine compiled into a scratch folder and
 * run in child processes (ts-jest's sources have no compiled worker script, so every other
 * specification runs models on the calling thread, as N8N_ZSIC_INFERENCE_THREAD=0 does).
 */
import { execFile } from 'node:child_process';
import { getPriority } from 'node:os';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { compileEngineTo, REPO_ROOT } from '../fixtures/compiledSources';
import { GraphBuilder, tensor } from '../fixtures/onnx/graphBuilder';
import { testImage, type TestImageKind } from '../fixtures/testImages';
import { testModelPaths } from '../fixtures/testModels';

const run = promisify(execFile);
const paths = testModelPaths();

let compiled: string;
let scratch: string;
let slowGraph: string;

/** Runs `body` (an async function body with `engine`, `onnx`, `fs` and `args` in scope) in a fresh Node process; resolves with what it returns. */
async function inChild<T>(body: string, args: unknown = {}, env: NodeJS.ProcessEnv = {}, timeout = 120_000, launcher: string[] = []): Promise<T> {
	const script = join(scratch, `child-${Math.random().toString(36).slice(2)}.js`);
	writeFileSync(
		script,
		`const fs = require('node:fs');
		const engine = require(${JSON.stringify(join(compiled, 'engine', 'index.js'))});
		const onnx = require(${JSON.stringify(join(compiled, 'engine', 'onnx', 'onnxSession.js'))});
		const args = ${JSON.stringify(args)};
		(async () => { ${body} })().then((value) => process.stdout.write(JSON.stringify(value === undefined ? null : value)), (error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });`,
	);
	const [command, ...prefix] = [...launcher, process.execPath];
	const { stdout } = await run(command, [...prefix, script], { env: { ...process.env, ...env }, timeout, maxBuffer: 64 * 1024 * 1024 });
	return JSON.parse(stdout) as T;
}

/**
 * A graph that takes a while to run: 40 chained 512 x 512 matrix products (5 GFLOP). Any real
 * vision tower does the same to the calling thread, only for longer.
 */
function writeSlowGraph(path: string): void {
	const g = new GraphBuilder('slow');
	let x = g.input('x', 'float32', [512, 512]);
	const weights = new Float32Array(512 * 512);
	for (let i = 0; i < weights.length; i++) weights[i] = Math.sin(i) / 64;
	const w = g.initializer('w', tensor.float32([512, 512], weights));
	for (let i = 0; i < 40; i++) x = g.op('Tanh', [g.op('MatMul', [x, w])]);
	g.output(x, 'y', 'float32', [512, 512]);
	g.save(path);
}

beforeAll(async () => {
	compiled = join(REPO_ROOT, 'test', '.generated', `compiled-engine-${process.pid}`);
	rmSync(compiled, { recursive: true, force: true });
	await compileEngineTo(compiled);
	scratch = mkdtempSync(join(compiled, 'scratch-'));
	slowGraph = join(scratch, 'slow.onnx');
	writeSlowGraph(slowGraph);
}, 120_000);

afterAll(() => rmSync(compiled, { recursive: true, force: true }));

/** The classification and text embeddings of one model folder, computed in a child process. */
const CLASSIFY_AND_EMBED = `
	const images = args.images.map((file) => fs.readFileSync(file));
	return await engine.withModel({ model: args.folder }, async (model) => {
		const results = await engine.classifyImages(model, images.map((image) => ({ image, classes: ['cat', 'dog', 'car'] })));
		const texts = await model.embedPrompts(['a photo of a cat', 'a photo of a dog']);
		return { probabilities: results.map((r) => r.probabilities), texts: texts.map((t) => Array.from(t)) };
	});`;

describe('a model on its inference thread', () => {
	let images: string[];
	beforeAll(async () => {
		const kinds: TestImageKind[] = ['stripes', 'blobs', 'noise'];
		images = await Promise.all(
			kinds.map(async (kind, i) => {
				const file = join(scratch, `${kind}.jpg`);
				writeFileSync(file, await testImage(kind, 'jpeg', 320 + 40 * i, 240));
				return file;
			}),
		);
	});

	test.each([
		['Hugging Face layout', () => paths.hf.dir],
		['Immich layout (static batch 1)', () => paths.immich.dir],
		['SigLIP (sigmoid scores)', () => paths.siglipHf.dir],
	])('gives bit for bit the probabilities and text embeddings of the calling thread (%s)', async (_, folder) => {
		const threaded = await inChild(CLASSIFY_AND_EMBED, { folder: folder(), images });
		const local = await inChild(CLASSIFY_AND_EMBED, { folder: folder(), images }, { N8N_ZSIC_INFERENCE_THREAD: '0' });
		expect(threaded).toEqual(local);
	}, 120_000);

	test('gives the same results on the WebAssembly backend as WebAssembly on the calling thread', async () => {
		const body = CLASSIFY_AND_EMBED.replace('{ model: args.folder }', "{ model: args.folder, runtime: { intraOpThreads: 0, backend: 'wasm' } }");
		const threaded = await inChild(body, { folder: paths.hf.dir, images });
		const local = await inChild(body, { folder: paths.hf.dir, images }, { N8N_ZSIC_INFERENCE_THREAD: '0' });
		expect(threaded).toEqual(local);
	}, 120_000);
});

/** Counts the timer ticks of this thread during one run of the slow graph. */
const TICKS_DURING_RUN = `
	const session = await onnx.OnnxSession.load(args.graph, { intraOpThreads: 0 });
	const x = { type: 'float32', data: new Float32Array(512 * 512).fill(0.5), dims: [512, 512] };
	await session.run({ x }, ['y']);
	let ticks = 0;
	const timer = setInterval(() => ticks++, 5);
	const started = Date.now();
	await session.run({ x }, ['y']);
	const ms = Date.now() - started;
	clearInterval(timer);
	await session.release();
	return { ticks, ms };`;

describe("the calling thread (n8n's event loop) while a graph runs", () => {
	test('keeps running timers with the model on an inference thread, and stands still with it on the calling thread', async () => {
		const threaded = await inChild<{ ticks: number; ms: number }>(TICKS_DURING_RUN, { graph: slowGraph });
		const local = await inChild<{ ticks: number; ms: number }>(TICKS_DURING_RUN, { graph: slowGraph }, { N8N_ZSIC_INFERENCE_THREAD: '0' });
		// The control: on the calling thread no timer fires while the graph runs (at most the one
		// that was due when the run was scheduled).
		expect(local.ticks).toBeLessThanOrEqual(1);
		// A 5 ms timer over a run of a few hundred ms; a handful of ticks is enough to tell.
		expect(threaded.ms).toBeGreaterThan(50);
		expect(threaded.ticks).toBeGreaterThanOrEqual(5);
	}, 120_000);
});

/** The nice value of every thread of the child: its own (the main thread) and the others. */
const NICE_VALUES = `
	const nice = (task) => { const stat = fs.readFileSync('/proc/self/task/' + task + '/stat', 'utf8'); return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]); };
	const session = await onnx.OnnxSession.load(args.graph, { intraOpThreads: 2 });
	const tasks = fs.readdirSync('/proc/self/task');
	const result = { main: nice(String(process.pid)), others: tasks.filter((t) => t !== String(process.pid)).map(nice) };
	await session.release();
	return result;`;

const linuxOnly = process.platform === 'linux' ? describe : describe.skip;
linuxOnly('thread priority (Linux)', () => {
	// The child inherits this process's nice (0 normally; more under `nice npm test`).
	const callerNice = getPriority();

	test('the inference thread and the ONNX Runtime threads it starts run at nice 10, the calling thread as it was', async () => {
		const { main, others } = await inChild<{ main: number; others: number[] }>(NICE_VALUES, { graph: slowGraph });
		expect(main).toBe(callerNice);
		// The worker thread itself plus its intra-op pool.
		expect(others.filter((n) => n === Math.max(10, callerNice)).length).toBeGreaterThanOrEqual(2);
	}, 60_000);

	test('N8N_ZSIC_INFERENCE_NICE=0 leaves every thread at the calling thread’s priority', async () => {
		const { others } = await inChild<{ main: number; others: number[] }>(NICE_VALUES, { graph: slowGraph }, { N8N_ZSIC_INFERENCE_NICE: '0' });
		expect(others.every((n) => n === callerNice)).toBe(true);
	}, 60_000);

	test('an n8n started at a nice above 10 keeps its inference threads at its own nice, never above its priority', async () => {
		const { main, others } = await inChild<{ main: number; others: number[] }>(NICE_VALUES, { graph: slowGraph }, {}, 120_000, ['nice', '-n', '15']);
		// nice -n is relative to the caller's nice, capped at 19.
		expect(main).toBe(Math.min(19, callerNice + 15));
		expect(others.every((n) => n === main)).toBe(true);
	}, 60_000);
});

describe('failures on an inference thread', () => {
	test('a file ONNX Runtime cannot load fails naming the file, as on the calling thread', async () => {
		const file = join(scratch, 'not-a-model.onnx');
		writeFileSync(file, 'this is not protobuf');
		const body = `try { await onnx.OnnxSession.load(args.file, { intraOpThreads: 0 }); return 'loaded'; } catch (error) { return { name: error.name, code: error.code, message: error.message }; }`;
		const threaded = await inChild(body, { file });
		const local = await inChild(body, { file }, { N8N_ZSIC_INFERENCE_THREAD: '0' });
		expect(threaded).toEqual({ name: 'ModelFileError', code: 'MODEL_FILE', message: expect.stringContaining(`${file}: is not a loadable ONNX model`) });
		expect(threaded).toEqual(local);
	}, 60_000);

	test('a run the graph refuses fails with an inference error, and the next run on the same model works', async () => {
		const body = `
			const session = await onnx.OnnxSession.load(args.graph, { intraOpThreads: 0 });
			const wrong = await session.run({ x: { type: 'float32', data: new Float32Array(4), dims: [2, 2] } }, ['y']).then(() => 'ran', (error) => ({ code: error.code, message: error.message }));
			const right = await session.run({ x: { type: 'float32', data: new Float32Array(512 * 512), dims: [512, 512] } }, ['y']);
			await session.release();
			return { wrong, dims: right.y.dims };`;
		const result = await inChild<{ wrong: { code: string; message: string }; dims: number[] }>(body, { graph: slowGraph });
		expect(result.wrong).toEqual({ code: 'INFERENCE', message: expect.stringMatching(new RegExp(`^${slowGraph.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: inference failed`)) });
		expect(result.dims).toEqual([512, 512]);
	}, 60_000);

	test('a thread that has stopped fails the next run with an inference error, and the model loads again', async () => {
		// Stopped between runs: a thread stopped in the middle of a native run takes the process
		// with it (onnxruntime-node aborts), which is why the engine only ends a thread once its
		// runs are done (release waits for them).
		const body = `
			const session = await onnx.OnnxSession.load(args.graph, { intraOpThreads: 0 });
			const x = { type: 'float32', data: new Float32Array(512 * 512), dims: [512, 512] };
			await session.run({ x }, ['y']);
			await session.runner.worker.terminate(); // reached into for the test only
			const failed = await session.run({ x }, ['y']).then(() => 'ran', (error) => ({ code: error.code, message: error.message }));
			const again = await onnx.OnnxSession.load(args.graph, { intraOpThreads: 0 });
			const dims = (await again.run({ x }, ['y'])).y.dims;
			await again.release();
			return { failed, dims };`;
		const result = await inChild<{ failed: { code: string; message: string }; dims: number[] }>(body, { graph: slowGraph });
		expect(result.failed).toEqual({ code: 'INFERENCE', message: expect.stringContaining('the inference thread stopped') });
		expect(result.dims).toEqual([512, 512]);
	}, 60_000);
});

describe('the life of an inference thread', () => {
	test('a loaded model that is never released does not keep the process from exiting', async () => {
		// inChild resolves only once the child has exited; a referenced thread would hold it until
		// the child is killed at 30 s (loading this graph takes about a second).
		const body = `await onnx.OnnxSession.load(args.graph, { intraOpThreads: 0 }); return 'loaded';`;
		await expect(inChild(body, { graph: slowGraph }, {}, 30_000)).resolves.toBe('loaded');
	}, 60_000);

	test('a released model refuses further runs', async () => {
		const body = `
			const session = await onnx.OnnxSession.load(args.graph, { intraOpThreads: 0 });
			await session.release();
			return await session.run({ x: { type: 'float32', data: new Float32Array(512 * 512), dims: [512, 512] } }, ['y']).then(() => 'ran', (error) => error.code);`;
		await expect(inChild(body, { graph: slowGraph })).resolves.toBe('INFERENCE');
	}, 60_000);
});

test('the compiled engine under test is the one with inference threads (its worker script is there)', () => {
	expect(readFileSync(join(compiled, 'engine', 'onnx', 'inferenceWorker.js'), 'utf8')).toContain('parentPort');
});
