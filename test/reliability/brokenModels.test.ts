/**
 * Broken and hostile model folders: each gives a clear error naming the file and what is wrong,
 * and the loaded-model cache (ModelRegistry) does not keep the broken state: fixing the folder
 * and running again works in the same process. Also: a model folder outside the models cache is
 * used only when the user names it explicitly, and preset ids / repo refs cannot traverse paths.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { onnx } from 'onnx-proto';
import type { INodeParameters } from 'n8n-workflow';
import { runClassifyCommand } from '../../cli/classifyCommand';
import type { CommandIO } from '../../cli/commandIO';
import { classifyImages, ModelRegistry, sharedModelRegistry, withModel, type Classification } from '../../engine';
import { ZeroShotImageClassification } from '../../nodes/ZeroShotImageClassification/ZeroShotImageClassification.node';
import { compileEngineTo } from '../fixtures/compiledSources';
import { generateTestModels } from '../fixtures/generateTestModels';
import { GraphBuilder, tensor } from '../fixtures/onnx/graphBuilder';
import { testModelPaths } from '../fixtures/testModels';
import { runNodeInWorkflow } from '../n8nHarness/runNodeInWorkflow';
import { patternPng } from './hostileImages';

const paths = testModelPaths();
const EMBED = paths.manifest.dims.embedDim;
const SIZE = paths.manifest.dims.imageSize;
const CLASSES = ['cat', 'dog', 'car'];
const HF_FILES = ['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'onnx/text_model.onnx', 'onnx/vision_model.onnx'];

let scratch: string;
let image: Buffer;
let counter = 0;

/** A fresh copy of the fp32 Hugging Face-layout fixture model (separate towers only). */
function copyModel(): string {
	const dir = join(scratch, `model-${++counter}`);
	for (const file of HF_FILES) {
		mkdirSync(join(dir, file, '..'), { recursive: true });
		copyFileSync(join(paths.hf.dir, file), join(dir, file));
	}
	return dir;
}

function restore(dir: string, file: string): void {
	copyFileSync(join(paths.hf.dir, file), join(dir, file));
}

async function classifyWith(registry: ModelRegistry, folder: string): Promise<Classification> {
	const [result] = await registry.use(folder, {}, (model) => classifyImages(model, [{ image, classes: CLASSES }]));
	if (result instanceof Error) throw result;
	return result;
}

/**
 * The folder fails with a message naming `file` (relative to the folder) and matching `reason`;
 * after `fix`, the same registry loads and classifies with it, in this process.
 */
async function expectBrokenThenFixed(folder: string, file: string, reason: RegExp, fix: () => void): Promise<void> {
	const registry = new ModelRegistry();
	const error = await classifyWith(registry, folder).then(
		() => undefined,
		(e: Error) => e,
	);
	expect(error).toBeInstanceOf(Error);
	expect(error?.message).toContain(join(folder, file));
	expect(error?.message).toMatch(reason);
	// A second attempt before the fix fails the same way (and is not a stale cached result either).
	await expect(classifyWith(registry, folder)).rejects.toThrow(reason);
	fix();
	const fixed = await classifyWith(registry, folder);
	expect(fixed.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
	expect(registry.loadedCount).toBe(1);
	await registry.clear();
}

function saveGraph(g: GraphBuilder, path: string): void {
	g.save(path);
}

/** A vision graph whose only input is not an image. */
function visionWithWrongInput(path: string): void {
	const g = new GraphBuilder('wrong_vision_input');
	const x = g.input('features', 'float32', ['batch', 10]);
	g.output(x, 'image_embeds', 'float32', ['batch', 10]);
	saveGraph(g, path);
}

/** A vision graph taking 64 x 64 images while the folder's preprocessing says 224. */
function visionWithOtherSize(path: string): void {
	const g = new GraphBuilder('small_vision');
	const x = g.input('pixel_values', 'float32', ['batch', 3, 64, 64]);
	const mean = g.op('ReduceMean', [x], { axes: { kind: 'ints', value: [2, 3] }, keepdims: { kind: 'int', value: 0 } });
	g.output(mean, 'image_embeds', 'float32', ['batch', 3]);
	saveGraph(g, path);
}

/** A vision graph whose output is a sequence of token states, not an embedding. */
function visionWithoutEmbedding(path: string): void {
	const g = new GraphBuilder('no_embedding');
	const x = g.input('pixel_values', 'float32', ['batch', 3, SIZE, SIZE]);
	const shape = g.constant('shape', tensor.int64([3], [0, 3, -1]));
	const flat = g.op('Reshape', [x, shape]);
	g.output(flat, 'last_hidden_state', 'float32', ['batch', 3, SIZE * SIZE]);
	saveGraph(g, path);
}

/** A text graph whose token input is float. */
function textWithFloatIds(path: string): void {
	const g = new GraphBuilder('float_ids');
	const x = g.input('input_ids', 'float32', ['batch', 'sequence']);
	const mean = g.op('ReduceMean', [x], { axes: { kind: 'ints', value: [1] }, keepdims: { kind: 'int', value: 1 } });
	const wide = g.op('Mul', [mean, g.constant('ones', tensor.float32([1, EMBED], new Array(EMBED).fill(1)))]);
	g.output(wide, 'text_embeds', 'float32', ['batch', EMBED]);
	saveGraph(g, path);
}

/** A text graph that needs an input the engine does not know how to fill. */
function textWithExtraInput(path: string): void {
	const g = new GraphBuilder('extra_input');
	const ids = g.input('input_ids', 'int64', ['batch', 'sequence']);
	const positions = g.input('position_ids', 'int64', ['batch', 'sequence']);
	const sum = g.op('Cast', [g.op('Add', [ids, positions])], { to: { kind: 'int', value: onnx.TensorProto.DataType.FLOAT } });
	const mean = g.op('ReduceMean', [sum], { axes: { kind: 'ints', value: [1] }, keepdims: { kind: 'int', value: 1 } });
	const wide = g.op('Mul', [mean, g.constant('ones', tensor.float32([1, EMBED], new Array(EMBED).fill(1)))]);
	g.output(wide, 'text_embeds', 'float32', ['batch', EMBED]);
	saveGraph(g, path);
}

/** Towers that run but produce NaN (e.g. a broken conversion): mean of the input x NaN. */
function nanTower(path: string, kind: 'vision' | 'text'): void {
	const g = new GraphBuilder(`nan_${kind}`);
	let mean: string;
	if (kind === 'vision') {
		const x = g.input('pixel_values', 'float32', ['batch', 3, SIZE, SIZE]);
		const reduced = g.op('ReduceMean', [x], { axes: { kind: 'ints', value: [1, 2, 3] }, keepdims: { kind: 'int', value: 1 } });
		mean = g.op('Reshape', [reduced, g.constant('shape', tensor.int64([2], [-1, 1]))]);
	} else {
		const ids = g.input('input_ids', 'int64', ['batch', 'sequence']);
		const asFloat = g.op('Cast', [ids], { to: { kind: 'int', value: onnx.TensorProto.DataType.FLOAT } });
		mean = g.op('ReduceMean', [asFloat], { axes: { kind: 'ints', value: [1] }, keepdims: { kind: 'int', value: 1 } });
	}
	const nan = g.op('Mul', [mean, g.constant('nan', tensor.float32([1, EMBED], new Array(EMBED).fill(Number.NaN)))]);
	g.output(nan, kind === 'vision' ? 'image_embeds' : 'text_embeds', 'float32', ['batch', EMBED]);
	saveGraph(g, path);
}

/** A small graph whose weight is "external data" read from `location` (relative to the model file). */
function externalDataEscaping(path: string, location: string): void {
	const g = new GraphBuilder('escaping_external_data');
	const x = g.input('pixel_values', 'float32', ['batch', 3, SIZE, SIZE]);
	const reduced = g.op('ReduceMean', [x], { axes: { kind: 'ints', value: [1, 2, 3] }, keepdims: { kind: 'int', value: 1 } });
	const mean = g.op('Reshape', [reduced, g.constant('shape', tensor.int64([2], [-1, 1]))]);
	const weight = g.initializer('stolen', tensor.float32([1, EMBED], new Array(EMBED).fill(1)));
	g.output(g.op('Mul', [mean, weight]), 'image_embeds', 'float32', ['batch', EMBED]);
	const proto = g.toModelProto();
	const init = (proto.graph?.initializer ?? []).find((t) => t.name === 'stolen') as onnx.ITensorProto;
	init.rawData = undefined;
	init.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
	init.externalData = [
		{ key: 'location', value: location },
		{ key: 'offset', value: '0' },
		{ key: 'length', value: String(EMBED * 4) },
	];
	writeFileSync(path, onnx.ModelProto.encode(proto).finish());
}

beforeAll(async () => {
	scratch = mkdtempSync(join(tmpdir(), 'zsic-broken-models-'));
	image = await patternPng(320, 240, 4);
});
afterAll(async () => {
	rmSync(scratch, { recursive: true, force: true });
	await sharedModelRegistry.clear();
});

describe('broken model folders: a clear error naming the file, and nothing broken stays cached', () => {
	test.each([
		['onnx/text_model.onnx', /is missing \(the other tower is there\)/],
		['onnx/vision_model.onnx', /is missing \(the other tower is there\)/],
		['tokenizer.json', /tokenizer\.json: is missing/],
		['config.json', /config\.json: is missing/],
		['preprocessor_config.json', /preprocessor_config\.json: is missing/],
	] as const)('missing %s', async (file, reason) => {
		const folder = copyModel();
		unlinkSync(join(folder, file));
		await expectBrokenThenFixed(folder, file, reason, () => restore(folder, file));
	});

	test('the model folder itself is missing', async () => {
		const folder = join(scratch, 'not-yet-there');
		const registry = new ModelRegistry();
		await expect(classifyWith(registry, folder)).rejects.toThrow(`model folder ${folder} does not exist`);
		cpSync(copyModel(), folder, { recursive: true });
		expect((await classifyWith(registry, folder)).classes).toEqual(CLASSES);
		await registry.clear();
	});

	test.each(['onnx/vision_model.onnx', 'onnx/text_model.onnx'])('truncated %s', async (file) => {
		const folder = copyModel();
		const full = readFileSync(join(folder, file)).length;
		truncateSync(join(folder, file), Math.floor(full / 2));
		await expectBrokenThenFixed(folder, file, /is not a loadable ONNX model \(/, () => restore(folder, file));
	});

	test.each([
		['a JPEG renamed', async () => patternPng(16, 16)],
		['a text file', async () => Buffer.from('this is not a model\n')],
		['an empty file', async () => Buffer.alloc(0)],
		['random bytes', async () => Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251))],
	])('an .onnx that is not a model: %s', async (_, bytes) => {
		const folder = copyModel();
		writeFileSync(join(folder, 'onnx/vision_model.onnx'), await bytes());
		await expectBrokenThenFixed(folder, 'onnx/vision_model.onnx', /is not a loadable ONNX model/, () => restore(folder, 'onnx/vision_model.onnx'));
	});

	test.each([
		['a vision graph without an image input', 'onnx/vision_model.onnx', visionWithWrongInput, /has no float \[batch, 3, height, width\] image input \(inputs: features float32 \[\?, 10\]; outputs: image_embeds/],
		['a vision graph for another image size', 'onnx/vision_model.onnx', visionWithOtherSize, /takes 3x64x64 images but the preprocessing config gives 3x224x224/],
		['a vision graph without an embedding output', 'onnx/vision_model.onnx', visionWithoutEmbedding, /has no float \[batch, dim\] image embedding output \(.*outputs: last_hidden_state float32 \[\?, 3, 50176\]\)/],
		['a text graph with float token ids', 'onnx/text_model.onnx', textWithFloatIds, /has no integer \[batch, tokens\] input for token ids \(inputs: input_ids float32/],
		['a text graph needing inputs the engine cannot provide', 'onnx/text_model.onnx', textWithExtraInput, /needs inputs this engine cannot provide \(position_ids\)/],
	] as const)('inputs or outputs matching neither layout: %s', async (_, file, write, reason) => {
		const folder = copyModel();
		write(join(folder, file));
		await expectBrokenThenFixed(folder, file, reason, () => restore(folder, file));
	});

	test.each([
		['not JSON at all', '{"version": "1.0", "model": {', /tokenizer\.json: is not valid JSON/],
		['a JSON list', '[1, 2, 3]', /tokenizer\.json: must hold a JSON object/],
		['JSON that is no tokenizer', '{"version": "1.0", "model": {"type": "NoSuchModel"}}', /tokenizer\.json: not a usable tokenizer/],
	] as const)('a malformed tokenizer.json: %s', async (_, text, reason) => {
		const folder = copyModel();
		writeFileSync(join(folder, 'tokenizer.json'), text);
		await expectBrokenThenFixed(folder, 'tokenizer.json', reason, () => restore(folder, 'tokenizer.json'));
	});

	test.each([
		['config.json', '{"projection_dim": ', /config\.json: is not valid JSON/],
		['preprocessor_config.json', JSON.stringify({ crop_size: 224, size: 224, image_mean: [0.5, 0.5], image_std: [0.5, 0.5, 0.5] }), /"image_mean" must be a list of 3 numbers/],
		['preprocessor_config.json', JSON.stringify({ crop_size: 224, size: 224, image_mean: [0.5, 0.5, 0.5], image_std: '0.5' }), /"image_std" must be a list of 3 numbers/],
	] as const)('a malformed %s', async (file, text, reason) => {
		const folder = copyModel();
		writeFileSync(join(folder, file), text);
		await expectBrokenThenFixed(folder, file, reason, () => restore(folder, file));
	});

	describe('embedding size mismatch', () => {
		let wide: string;
		beforeAll(async () => {
			// The same architecture with 48-dimensional embeddings: its text tower does not fit the 32-dimensional vision tower.
			wide = join(scratch, 'wide-embeddings');
			await generateTestModels(wide, { dims: { embedDim: EMBED + 16 }, layouts: ['hf'], hfVariants: false });
		});

		test('between the two towers (the config says nothing)', async () => {
			const folder = copyModel();
			const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')) as Record<string, unknown>;
			delete config.projection_dim;
			writeFileSync(join(folder, 'config.json'), JSON.stringify(config));
			copyFileSync(join(wide, 'clip-hf/onnx/text_model.onnx'), join(folder, 'onnx/text_model.onnx'));
			await expectBrokenThenFixed(folder, 'onnx/text_model.onnx', new RegExp(`${EMBED + 16}-dimensional .*${EMBED}-dimensional|${EMBED}-dimensional .*${EMBED + 16}-dimensional`), () =>
				restore(folder, 'onnx/text_model.onnx'),
			);
		});

		test('between the towers and config.json (projection_dim)', async () => {
			const folder = copyModel();
			const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')) as Record<string, unknown>;
			writeFileSync(join(folder, 'config.json'), JSON.stringify({ ...config, projection_dim: EMBED + 16 }));
			await expectBrokenThenFixed(folder, 'onnx/vision_model.onnx', new RegExp(`gives ${EMBED}-dimensional embeddings but the model's config.json says ${EMBED + 16}`), () =>
				restore(folder, 'config.json'),
			);
		});

		test('between towers whose graphs do not declare their embedding size (caught when scoring)', async () => {
			const folder = copyModel();
			const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')) as Record<string, unknown>;
			delete config.projection_dim;
			writeFileSync(join(folder, 'config.json'), JSON.stringify(config));
			// The "embedding" is the token ids themselves: its size depends on the prompts, so no graph declares it.
			const g = new GraphBuilder('dynamic_size_text');
			const ids = g.input('input_ids', 'int64', ['batch', 'sequence']);
			const asFloat = g.op('Cast', [ids], { to: { kind: 'int', value: onnx.TensorProto.DataType.FLOAT } });
			g.output(asFloat, 'text_embeds', 'float32', ['batch', 'sequence']);
			g.save(join(folder, 'onnx/text_model.onnx'));
			const registry = new ModelRegistry();
			const reason = new RegExp(`the text embeddings have \\d+ dimensions and the image embeddings ${EMBED}: the two towers are not from the same model`);
			await expect(classifyWith(registry, folder)).rejects.toThrow(reason);
			restore(folder, 'onnx/text_model.onnx');
			expect((await classifyWith(registry, folder)).classes).toEqual(CLASSES);
			expect(registry.loads).toBe(2);
			await registry.clear();
		});
	});

	test.each([
		['vision', 'onnx/vision_model.onnx'],
		['text', 'onnx/text_model.onnx'],
	] as const)('NaN outputs from the %s tower', async (kind, file) => {
		const folder = copyModel();
		nanTower(join(folder, file), kind);
		await expectBrokenThenFixed(folder, file, /produced a non-finite embedding \(NaN or infinity\); the model file is probably broken/, () => restore(folder, file));
	});

	test('external data that points outside the model folder is not read', async () => {
		const folder = copyModel();
		const secret = join(scratch, 'secret.bin');
		writeFileSync(secret, Buffer.alloc(EMBED * 4, 0x3f));
		externalDataEscaping(join(folder, 'onnx/vision_model.onnx'), relative(join(folder, 'onnx'), secret));
		await expectBrokenThenFixed(folder, 'onnx/vision_model.onnx', /is not a loadable ONNX model \(.*External data path escapes model directory/, () => restore(folder, 'onnx/vision_model.onnx'));
		externalDataEscaping(join(folder, 'onnx/vision_model.onnx'), secret);
		await expectBrokenThenFixed(folder, 'onnx/vision_model.onnx', /is not a loadable ONNX model \(.*Absolute path not allowed for external data location/, () => restore(folder, 'onnx/vision_model.onnx'));
		// Control: the same graph with its weights beside it loads and runs.
		copyFileSync(secret, join(folder, 'onnx', 'weights.bin'));
		externalDataEscaping(join(folder, 'onnx/vision_model.onnx'), 'weights.bin');
		const registry = new ModelRegistry();
		expect((await classifyWith(registry, folder)).classes).toEqual(CLASSES);
		await registry.clear();
	});

	test('a broken model never poisons other models, nor other executions on a healthy one', async () => {
		const registry = new ModelRegistry(4);
		const broken = copyModel();
		nanTower(join(broken, 'onnx/vision_model.onnx'), 'vision');
		const healthy = copyModel();
		const outcomes = await Promise.allSettled([classifyWith(registry, broken), classifyWith(registry, healthy), classifyWith(registry, broken), classifyWith(registry, healthy)]);
		expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'fulfilled']);
		await registry.clear();
	});
});

function nodeRun(parameters: INodeParameters) {
	return runNodeInWorkflow({
		nodeType: new ZeroShotImageClassification(),
		parameters: { classes: CLASSES.join(', '), ...parameters },
		items: [{ json: {}, binary: { data: { data: image, mimeType: 'image/png', fileName: 'a.png' } } }],
		continueOnFail: true,
	});
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
	let stdout = '';
	let stderr = '';
	const io: CommandIO = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, isTTY: false };
	const code = await runClassifyCommand(args, io);
	return { code, stdout, stderr };
}

describe('model folders outside the models directory, and path traversal', () => {
	let cacheDir: string;
	let outside: string;
	let imageFile: string;
	const previousOffline = process.env.HF_HUB_OFFLINE;

	beforeAll(async () => {
		cacheDir = join(scratch, 'models-cache');
		mkdirSync(cacheDir, { recursive: true });
		outside = copyModel();
		imageFile = join(scratch, 'image.png');
		writeFileSync(imageFile, image);
		// Nothing here may reach the network.
		process.env.HF_HUB_OFFLINE = '1';
	});
	afterAll(() => {
		if (previousOffline === undefined) delete process.env.HF_HUB_OFFLINE;
		else process.env.HF_HUB_OFFLINE = previousOffline;
	});

	test('node: a folder outside the models cache is used when the user names it in "Model Folder or Repo"', async () => {
		const result = await nodeRun({ model: 'custom', customModel: outside, options: { cacheDir, offline: true } });
		expect(result.items[0].json.error).toBeUndefined();
		expect(result.items[0].json.classes).toEqual(CLASSES);
	});

	test('CLI: a folder outside the models cache is used when given to --model', async () => {
		const run = await cli(['--model', outside, '--cache-dir', cacheDir, '--offline', '--class', 'cat,dog', imageFile]);
		expect(run.code).toBe(0);
	});

	test('node: the model dropdown holding a path (not a preset) is refused, even when the path leads to a valid model', async () => {
		const traversal = relative(process.cwd(), outside);
		for (const model of [`../${relative(join(process.cwd(), '..'), outside)}`, traversal, outside, `~/${relative(homedir(), outside)}`]) {
			const result = await nodeRun({ model, options: { cacheDir, offline: true } });
			expect(result.items[0].json.error).toMatch(/is not a model preset/);
		}
	});

	test.each([
		['a preset id with ../', 'clip-vit-base-patch32/../../../etc', /is not a Hugging Face repo id/],
		['a preset id with an encoded slash', 'clip-vit-base-patch32%2f..%2f..', /is neither a preset id/],
		['a repo id with ..', 'owner/..', /is not a Hugging Face repo id/],
		['a revision that climbs', 'owner/name@../../../etc', /is not a valid revision/],
		['a revision that climbs after a branch', 'owner/name@main/../../../../etc', /is not a valid revision/],
		['an unknown preset', 'no-such-preset', /Unknown model preset "no-such-preset"/],
	] as const)('node and CLI refuse %s without touching the file system outside the cache', async (_, ref, reason) => {
		const viaNode = await nodeRun({ model: 'custom', customModel: ref, options: { cacheDir, offline: true } });
		expect(viaNode.items[0].json.error).toMatch(reason);
		const viaCli = await cli(['--model', ref, '--cache-dir', cacheDir, '--offline', '--class', 'cat,dog', imageFile]);
		expect(viaCli.code).toBe(1);
		expect(viaCli.stderr).toMatch(reason);
		// Refused before any file was touched: not even a lock or a folder in the cache.
		expect(readdirSync(cacheDir)).toEqual([]);
	});

	test('the engine refuses the same refs (withModel)', async () => {
		await expect(withModel({ model: 'owner/name@../../etc', hub: { cacheDir, offline: true } }, async () => 0)).rejects.toThrow(/is not a valid revision/);
		await expect(withModel({ model: 'a/b/c', hub: { cacheDir, offline: true } }, async () => 0)).rejects.toThrow(/is not a Hugging Face repo id/);
	});
});

describe('what the engine writes', () => {
	/** Every file under `dir`, relative to it. */
	function filesUnder(dir: string): string[] {
		return readdirSync(dir, { recursive: true, withFileTypes: true })
			.filter((entry) => entry.isFile())
			.map((entry) => relative(dir, join(entry.parentPath, entry.name)))
			.sort();
	}

	/**
	 * Loads and runs a model from the engine's TypeScript sources (models on the calling thread), or
	 * a compiled engine (models on inference threads), in a fresh process (ONNX Runtime reads its
	 * settings once per process) whose home and cache folders are empty; returns what appeared in them.
	 */
	function runInFreshProcess(telemetryVariable: string | undefined, engineIndex = join(__dirname, '..', '..', 'engine', 'index.ts')): { output: string; written: string[] } {
		const home = mkdtempSync(join(scratch, 'home-'));
		const imageFile = join(home, '..', `${relative(scratch, home)}.png`);
		writeFileSync(imageFile, image);
		const root = join(__dirname, '..', '..');
		const script = `
			const fs = require('node:fs');
			const ts = require(${JSON.stringify(join(root, 'node_modules', 'typescript'))});
			require.extensions['.ts'] = (module, file) => module._compile(ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText, file);
			const engine = require(${JSON.stringify(engineIndex)});
			(async () => {
				const model = await engine.ClipModel.load(${JSON.stringify(paths.hf.dir)});
				const [result] = await engine.classifyImages(model, [{ image: fs.readFileSync(${JSON.stringify(imageFile)}), classes: ['cat', 'dog'] }]);
				await model.release();
				process.stdout.write(JSON.stringify(result.classes));
			})();`;
		const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CACHE_HOME: join(home, '.cache'), N8N_ZSIC_MODELS_DIR: join(home, 'models') };
		delete env.ORT_DISABLE_TELEMETRY;
		// ONNX Runtime's telemetry stays off by itself when CI is set: without this, both tests
		// would pass in CI whatever the engine does (and the control would fail).
		delete env.CI;
		if (telemetryVariable !== undefined) env.ORT_DISABLE_TELEMETRY = telemetryVariable;
		const output = execFileSync(process.execPath, ['-e', script], { env, encoding: 'utf8', timeout: 120_000 });
		return { output, written: filesUnder(home) };
	}

	test('classifying with a local model writes nothing at all: ONNX Runtime telemetry is off', () => {
		const { output, written } = runInFreshProcess(undefined);
		expect(output).toBe('["cat","dog"]');
		expect(written).toEqual([]);
	}, 150_000);

	test('(control) the same run with ORT_DISABLE_TELEMETRY=0 shows what would have been written', () => {
		const { output, written } = runInFreshProcess('0');
		expect(output).toBe('["cat","dog"]');
		expect(written).toEqual(expect.arrayContaining([join('.cache', 'Microsoft', 'DeveloperTools', '.onnxruntime', 'onnxruntime.db')]));
	}, 150_000);

	describe('with the model on an inference thread (the compiled engine, as in n8n)', () => {
		// A worker thread's process.env is a copy: the engine must set the variable where ONNX
		// Runtime reads it, in the real process environment, before a thread loads the runtime.
		let compiledIndex: string;
		let compiled: string;
		beforeAll(async () => {
			compiled = join(__dirname, '..', '.generated', `compiled-telemetry-${process.pid}`);
			compiledIndex = await compileEngineTo(compiled);
		}, 120_000);
		afterAll(() => rmSync(compiled, { recursive: true, force: true }));

		test('classifying writes nothing at all: telemetry is off on the inference thread too', () => {
			const { output, written } = runInFreshProcess(undefined, compiledIndex);
			expect(output).toBe('["cat","dog"]');
			expect(written).toEqual([]);
		}, 150_000);

		test('(control) the same run with ORT_DISABLE_TELEMETRY=0 shows what would have been written', () => {
			const { written } = runInFreshProcess('0', compiledIndex);
			expect(written).toEqual(expect.arrayContaining([join('.cache', 'Microsoft', 'DeveloperTools', '.onnxruntime', 'onnxruntime.db')]));
		}, 150_000);
	});
});
