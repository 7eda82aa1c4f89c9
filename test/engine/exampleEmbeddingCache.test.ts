/**
 * The on-disk cache of example embeddings: keyed by the image's content and the model, so a second
 * run embeds nothing, a renamed or touched file still hits, a changed byte misses, and a damaged
 * or half-written entry is read as missing, never as an embedding.
 */
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ClipModel, EXAMPLE_CACHE_FOLDER, ExampleEmbeddingCache, exampleModelKey, folderExampleClasses, inspectModelFolder } from '../../engine';
import { testImage } from '../fixtures/testImages';
import { testModelPaths } from '../fixtures/testModels';

let model: ClipModel;
let examples: string;
let cacheDir: string;

beforeAll(async () => {
	model = await ClipModel.load(testModelPaths().hf.dir);
});
afterAll(() => model.release());
beforeEach(async () => {
	examples = mkdtempSync(join(tmpdir(), 'zsic-examples-'));
	cacheDir = mkdtempSync(join(tmpdir(), 'zsic-models-'));
	mkdirSync(join(examples, 'stripes'));
	mkdirSync(join(examples, 'blobs'));
	writeFileSync(join(examples, 'stripes/a.jpg'), await testImage('stripes', 'jpeg'));
	writeFileSync(join(examples, 'stripes/b.png'), await testImage('stripes', 'png', 300, 220, 1));
	writeFileSync(join(examples, 'blobs/a.jpg'), await testImage('blobs', 'jpeg'));
});
afterEach(() => {
	rmSync(examples, { recursive: true, force: true });
	rmSync(cacheDir, { recursive: true, force: true });
});

const run = () => folderExampleClasses(model, examples, { cacheDir });

/** Every file under the example cache folder, relative to it. */
function cacheFiles(): string[] {
	return readdirSync(join(cacheDir, EXAMPLE_CACHE_FOLDER), { recursive: true, withFileTypes: true })
		.filter((entry) => entry.isFile())
		.map((entry) => join(entry.parentPath, entry.name));
}

/** Changes one byte of a JPEG's quantization table: still a valid JPEG, other pixels, other content. */
function changeOneByte(path: string): void {
	const bytes = readFileSync(path);
	const dqt = bytes.indexOf(Buffer.from([0xff, 0xdb]));
	bytes[dqt + 6] = bytes[dqt + 6] === 1 ? 2 : bytes[dqt + 6] - 1;
	writeFileSync(path, bytes);
}

test('a second run over the same folder embeds nothing and gives the same classes', async () => {
	const first = await run();
	expect([first.embedded, first.fromCache]).toEqual([3, 0]);
	const second = await run();
	expect([second.embedded, second.fromCache]).toEqual([0, 3]);
	expect(second.classes).toEqual(first.classes);
});

test('the cache lives in the models cache folder, one entry per image', async () => {
	await run();
	const key = await exampleModelKey(model.descriptor, 'accurate');
	expect(cacheFiles().sort()).toHaveLength(3);
	expect(cacheFiles().every((file) => file.startsWith(join(cacheDir, EXAMPLE_CACHE_FOLDER, key)))).toBe(true);
});

test('adding one file embeds only it; removing one embeds nothing', async () => {
	await run();
	writeFileSync(join(examples, 'blobs/b.png'), await testImage('blobs', 'png', 260, 200, 2));
	expect((await run()).embedded).toBe(1);
	rmSync(join(examples, 'stripes/a.jpg'));
	const after = await run();
	expect([after.embedded, after.classes.labels]).toEqual([0, ['blobs', 'stripes']]);
});

test('a renamed file is found by its content, not its path', async () => {
	await run();
	renameSync(join(examples, 'stripes/a.jpg'), join(examples, 'stripes/renamed.jpg'));
	expect((await run()).embedded).toBe(0);
});

test('a file whose modification time alone changed is not embedded again', async () => {
	await run();
	utimesSync(join(examples, 'blobs/a.jpg'), new Date(2001, 1, 1), new Date(2001, 1, 1));
	expect((await run()).embedded).toBe(0);
});

test('a file with one byte changed is embedded again, and only it', async () => {
	const first = await run();
	changeOneByte(join(examples, 'blobs/a.jpg'));
	const second = await run();
	expect(second.embedded).toBe(1);
	expect(second.classes.embeddings[0]).not.toEqual(first.classes.embeddings[0]);
	expect(second.classes.embeddings[1]).toEqual(first.classes.embeddings[1]);
});

test('a truncated or garbage entry is read as missing, embedded again and rewritten', async () => {
	const first = await run();
	const [one, two] = cacheFiles();
	writeFileSync(one, readFileSync(one).subarray(0, 20));
	const garbage = readFileSync(two);
	garbage[garbage.length - 20] ^= 0xff;
	writeFileSync(two, garbage);
	const second = await run();
	expect(second.embedded).toBe(2);
	expect(second.classes).toEqual(first.classes);
	expect((await run()).embedded).toBe(0);
});

test('entries are written under a temporary name and renamed: a leftover temporary file is never read', async () => {
	const cache = new ExampleEmbeddingCache(join(cacheDir, 'plain'));
	const hash = 'ab'.repeat(32);
	// What a process killed mid-write leaves behind: a partial file under a temporary name.
	mkdirSync(join(cache.folder, 'ab'), { recursive: true });
	writeFileSync(`${cache.entryPath(hash)}.0123456789ab.tmp`, Buffer.from('ZSEE\x01\x00'));
	expect(await cache.get(hash)).toBeUndefined();
	await cache.set(hash, new Float32Array([0.6, 0.8]));
	expect(Array.from((await cache.get(hash)) as Float32Array)).toEqual([Math.fround(0.6), Math.fround(0.8)]);
	expect(readdirSync(join(cache.folder, 'ab')).filter((name) => name.endsWith('.tmp') && !name.startsWith(`${hash}.emb.0123`))).toEqual([]);
});

test('the model key follows the vision weights and the resampling, not the folder’s path', async () => {
	const copy = mkdtempSync(join(tmpdir(), 'zsic-model-copy-'));
	try {
		cpSync(testModelPaths().hf.dir, copy, { recursive: true });
		const original = await exampleModelKey(model.descriptor, 'accurate');
		expect(await exampleModelKey(await inspectModelFolder(copy, 'fp32'), 'accurate')).toBe(original);
		expect(await exampleModelKey(model.descriptor, 'fast')).not.toBe(original);
		expect(await exampleModelKey(await inspectModelFolder(testModelPaths().hf.dir, 'quantized'), 'accurate')).not.toBe(original);
		// Other weights under the same path: another key.
		copyFileSync(join(copy, 'onnx/vision_model_quantized.onnx'), join(copy, 'onnx/vision_model.onnx'));
		expect(await exampleModelKey(await inspectModelFolder(copy, 'fp32'), 'accurate')).not.toBe(original);
	} finally {
		rmSync(copy, { recursive: true, force: true });
	}
});

test('without the cache every run embeds every example', async () => {
	await folderExampleClasses(model, examples, { cacheDir, cacheExamples: false });
	expect((await folderExampleClasses(model, examples, { cacheDir, cacheExamples: false })).embedded).toBe(3);
});
