import { readdirSync, readFileSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { MockHub } from '../hub/mockHub';
import { useIsolatedHubEnv } from '../hub/hubTestEnv';
import { testImage } from '../fixtures/testImages';
import { testModelPaths } from '../fixtures/testModels';
import { runCli } from './cliHarness';

function filesUnder(root: string, dir = root): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		return statSync(path).isDirectory() ? filesUnder(root, path) : [relative(root, path)];
	});
}

describe('clip-classify download, then classify, against a mock Hugging Face Hub', () => {
	const env = useIsolatedHubEnv();
	let hub: MockHub;
	let image: string;

	beforeAll(async () => {
		hub = await MockHub.start();
		// The generated test model, served under the default preset's repository name.
		const source = testModelPaths().hf.dir;
		hub.addRepo({ repo: 'Xenova/clip-vit-base-patch32', files: filesUnder(source).map((path) => ({ path, content: readFileSync(join(source, path)) })) });
		image = join(mkdtempSync(join(tmpdir(), 'zsic-dl-')), 'photo.jpg');
		writeFileSync(image, await testImage('checker', 'jpeg'));
	});
	afterAll(() => hub.stop());

	test('downloads the default preset once, then classifies with it offline', async () => {
		const download = await runCli(['download', 'clip-vit-base-patch32', '--endpoint', hub.endpoint, '--cache-dir', env.cacheDir()]);
		expect(download.stderr).not.toContain('error');
		expect(download.code).toBe(0);
		const folder = download.stdout.trim();
		expect(readdirSync(join(folder, 'onnx')).sort()).toEqual(['text_model.onnx', 'vision_model.onnx']);

		const requestsAfterDownload = hub.requests.length;
		const classify = await runCli(['classify', '--model', 'clip-vit-base-patch32', '--cache-dir', env.cacheDir(), '--offline', '--class', 'cat', '--class', 'dog', image]);
		expect(classify.code).toBe(0);
		expect(hub.requests.length).toBe(requestsAfterDownload);

		// The same probabilities as classifying with the generated folder directly.
		const direct = await runCli(['classify', '--model', testModelPaths().hf.dir, '--class', 'cat', '--class', 'dog', image]);
		const viaPreset = JSON.parse(classify.stdout).results[0].probabilities as number[];
		const viaFolder = JSON.parse(direct.stdout).results[0].probabilities as number[];
		viaPreset.forEach((p, i) => expect(p).toBeCloseTo(viaFolder[i], 6));
	});

	test('offline without a cached model says how to pre-download it', async () => {
		const run = await runCli(['classify', '--model', 'clip-vit-base-patch32', '--cache-dir', env.cacheDir(), '--offline', '--class', 'cat', image]);
		expect(run.code).toBe(1);
		expect(run.stderr).toContain('clip-classify download');
	});
});
