/**
 * Concurrency and cancellation: 16 executions at once on one model share a single load and get
 * exactly the results they get alone (each has its own images and classes, so cross-talk would
 * show); an execution cancelled mid-batch stops promptly with CANCELLED, reads no further images,
 * and neither the next execution nor a concurrent one is affected.
 */
import { classifyImages, ClipModel, EngineError, ModelRegistry, sharedModelRegistry, type Classification, type ClassificationRequest } from '../../engine';
import { ZeroShotImageClassification } from '../../nodes/ZeroShotImageClassification/ZeroShotImageClassification.node';
import { testModelPaths } from '../fixtures/testModels';
import { runNodeInWorkflow } from '../n8nHarness/runNodeInWorkflow';
import { encode, patternPixels } from '../reliability/hostileImages';

const MODEL = testModelPaths().hf.dir;
const EXECUTIONS = 16;
const IMAGES_PER_EXECUTION = 12;
const BATCH_SIZE = 5;

interface Execution {
	readonly classes: string[];
	readonly images: Buffer[];
}

async function executions(): Promise<Execution[]> {
	const out: Execution[] = [];
	for (let k = 0; k < EXECUTIONS; k++) {
		const classes = Array.from({ length: 2 + (k % 5) }, (_, j) => `object ${k}-${j}`);
		const images: Buffer[] = [];
		for (let i = 0; i < IMAGES_PER_EXECUTION; i++) {
			const image = encode(patternPixels(80 + ((k * 7 + i * 13) % 240), 60 + ((k * 11 + i * 5) % 200), k * 100 + i));
			images.push(await (i % 2 === 0 ? image.png() : image.jpeg({ quality: 90 })).toBuffer());
		}
		out.push({ classes, images });
	}
	return out;
}

function requestsOf(execution: Execution): ClassificationRequest[] {
	return execution.images.map((image) => ({ image, classes: execution.classes }));
}

function expectSameResults(actual: Array<Classification | Error>, expected: Array<Classification | Error>): void {
	expect(actual).toHaveLength(expected.length);
	actual.forEach((result, i) => {
		if (result instanceof Error) throw result;
		const reference = expected[i] as Classification;
		expect(result.classes).toEqual(reference.classes);
		expect(result.label).toBe(reference.label);
		result.probabilities.forEach((p, k) => expect(p).toBeCloseTo(reference.probabilities[k], 6));
	});
}

describe('16 concurrent executions on one model', () => {
	let work: Execution[];
	let alone: Array<Array<Classification | Error>>;

	beforeAll(async () => {
		work = await executions();
		// Each execution alone, one after the other, on a model of its own.
		const model = await ClipModel.load(MODEL);
		try {
			alone = [];
			for (const execution of work) alone.push(await classifyImages(model, requestsOf(execution), { batchSize: BATCH_SIZE }));
		} finally {
			await model.release();
		}
	});
	afterAll(() => sharedModelRegistry.clear());

	test('through the engine (ModelRegistry): one load, each execution gets its own results', async () => {
		const registry = new ModelRegistry();
		const started = Date.now();
		const results = await Promise.all(work.map((execution) => registry.use(MODEL, {}, (model) => classifyImages(model, requestsOf(execution), { batchSize: BATCH_SIZE }))));
		const ms = Date.now() - started;
		expect(registry.loads).toBe(1);
		expect(registry.loadedCount).toBe(1);
		results.forEach((result, k) => expectSameResults(result, alone[k]));
		process.stdout.write(`[concurrency] engine: ${EXECUTIONS} concurrent executions x ${IMAGES_PER_EXECUTION} images in ${ms} ms, ${registry.loads} model load, no cross-talk\n`);
		await registry.clear();
	});

	test('repeated rounds with executions started at staggered times', async () => {
		const registry = new ModelRegistry();
		for (let round = 0; round < 3; round++) {
			const results = await Promise.all(
				work.map(async (execution, k) => {
					await new Promise((resolve) => setTimeout(resolve, (k * 7 + round * 3) % 20));
					return registry.use(MODEL, {}, (model) => classifyImages(model, requestsOf(execution), { batchSize: BATCH_SIZE }));
				}),
			);
			results.forEach((result, k) => expectSameResults(result, alone[k]));
		}
		expect(registry.loads).toBe(1);
		await registry.clear();
	});

	test('through the n8n node: concurrent workflow executions share one load and keep their items apart', async () => {
		await sharedModelRegistry.clear();
		const loadsBefore = sharedModelRegistry.loads;
		const runs = await Promise.all(
			work.map((execution) =>
				runNodeInWorkflow({
					nodeType: new ZeroShotImageClassification(),
					parameters: { model: 'custom', customModel: MODEL, classes: execution.classes.join(', '), options: { batchSize: BATCH_SIZE } },
					items: execution.images.map((data, i) => ({ json: { i }, binary: { data: { data, mimeType: i % 2 === 0 ? 'image/png' : 'image/jpeg', fileName: `${i}.img` } } })),
				}),
			),
		);
		expect(sharedModelRegistry.loads - loadsBefore).toBe(1);
		runs.forEach((run, k) => {
			expect(run.error).toBeUndefined();
			expect(run.items).toHaveLength(IMAGES_PER_EXECUTION);
			run.items.forEach((item, i) => {
				const reference = alone[k][i] as Classification;
				expect(item.json.i).toBe(i);
				expect(item.json.classes).toEqual(work[k].classes);
				(item.json.probabilities as number[]).forEach((p, c) => expect(p).toBeCloseTo(reference.probabilities[c], 6));
			});
		});
	});
});

describe('cancellation', () => {
	let model: ClipModel;
	let images: Buffer[];
	let baseline: Array<Classification | Error>;
	const classes = ['cat', 'dog', 'car'];

	beforeAll(async () => {
		model = await ClipModel.load(MODEL);
		images = await Promise.all(Array.from({ length: 24 }, (_, i) => encode(patternPixels(160 + i, 120, i)).png().toBuffer()));
		baseline = await classifyImages(model, images.map((image) => ({ image, classes })), { batchSize: 8 });
	});
	afterAll(() => model.release());

	/** `count` requests cycling through the images; every loader call is counted. */
	function countingRequests(count: number, onLoad: (index: number) => void): ClassificationRequest[] {
		return Array.from({ length: count }, (_, index) => ({
			classes,
			image: async () => {
				onLoad(index);
				return images[index % images.length];
			},
		}));
	}

	async function expectCancelled(promise: Promise<unknown>): Promise<EngineError> {
		const error = await promise.then(
			() => undefined,
			(e: unknown) => e,
		);
		expect(error).toBeInstanceOf(EngineError);
		expect((error as EngineError).code).toBe('CANCELLED');
		return error as EngineError;
	}

	test('aborted mid-batch: rejects with CANCELLED promptly and reads no further images', async () => {
		const controller = new AbortController();
		let loads = 0;
		let abortedAt = 0;
		const requests = countingRequests(400, (index) => {
			loads++;
			if (index === 43) {
				abortedAt = Date.now();
				controller.abort();
			}
		});
		const error = await expectCancelled(classifyImages(model, requests, { batchSize: 8, signal: controller.signal }));
		const latency = Date.now() - abortedAt;
		expect(error.message).toMatch(/cancelled/);
		expect(latency).toBeLessThan(1000);
		// The batch being prepared and the one after it at most: the other 350 images are never read.
		expect(loads).toBeLessThanOrEqual(64);
		const settled = loads;
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(loads).toBe(settled);
		process.stdout.write(`[cancellation] aborted at image 44 of 400: CANCELLED after ${latency} ms, ${loads} images read\n`);
	});

	test('aborted while running: CANCELLED within a batch, whatever the timing', async () => {
		for (const delay of [0, 5, 20, 60]) {
			const controller = new AbortController();
			let loads = 0;
			const running = classifyImages(model, countingRequests(2000, () => loads++), { batchSize: 8, signal: controller.signal });
			await new Promise((resolve) => setTimeout(resolve, delay));
			const abortedAt = Date.now();
			controller.abort();
			await expectCancelled(running);
			expect(Date.now() - abortedAt).toBeLessThan(1000);
			expect(loads).toBeLessThan(2000);
		}
	});

	test('an already-aborted signal reads nothing', async () => {
		let loads = 0;
		await expectCancelled(classifyImages(model, countingRequests(50, () => loads++), { signal: AbortSignal.abort() }));
		expect(loads).toBe(0);
	});

	test('the next execution after a cancelled one is unaffected', async () => {
		const controller = new AbortController();
		await expectCancelled(
			classifyImages(
				model,
				countingRequests(200, (i) => i === 10 && controller.abort()),
				{ batchSize: 8, signal: controller.signal },
			),
		);
		const after = await classifyImages(model, images.map((image) => ({ image, classes })), { batchSize: 8 });
		expectSameResults(after, baseline);
	});

	test('cancelling one execution leaves a concurrent one on the same model untouched', async () => {
		const registry = new ModelRegistry();
		const controller = new AbortController();
		const cancelled = registry.use(MODEL, {}, (m) => classifyImages(m, countingRequests(600, (i) => i === 30 && controller.abort()), { batchSize: 8, signal: controller.signal }));
		const other = registry.use(MODEL, {}, (m) => classifyImages(m, images.map((image) => ({ image, classes })), { batchSize: 8 }));
		await expectCancelled(cancelled);
		expectSameResults(await other, baseline);
		// The model stays loaded and usable: cancellation is not a broken model.
		expectSameResults(await registry.use(MODEL, {}, (m) => classifyImages(m, images.map((image) => ({ image, classes })), { batchSize: 8 })), baseline);
		expect(registry.loads).toBe(1);
		await registry.clear();
	});
});
