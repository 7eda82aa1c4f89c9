/**
 * Stopping an n8n execution during the model download, in real n8n (`n8n start`, regular mode,
 * sqlite): the model is a Hub repo on a local stand-in for huggingface.co (HF_ENDPOINT) that
 * serves it slowly, so the first execution of the HTTP API example is still downloading when a
 * second one arrives and waits on the download lock. The first is then stopped the way the
 * editor's stop button does it (`POST /rest/executions/:id/stop` with the owner's session).
 * Specified:
 *  - the download of the stopped execution ends promptly: the Hub stand-in sees its transfer
 *    hang up within 2 s of the stop request, and the node logs that the partial file is kept;
 *  - the stopped execution is stored as canceled;
 *  - the waiting execution takes the download over, resuming the partial file (a Range request
 *    from where the stopped one was), and answers with the engine's probabilities.
 *
 * How n8n 2.40.7 delivers the stop (read in its compiled source): ExecutionService.stop ->
 * ActiveExecutions.stopExecution -> the PCancelable workflow execution's cancel() ->
 * WorkflowExecute's onCancel handler, which marks the run canceled, aborts the AbortController
 * whose signal every node gets through getExecutionCancelSignal(), and runs the
 * workflowExecuteAfter hooks at once, without waiting for the running node to return. So n8n
 * reports the execution stopped whatever the node does: only the node honouring the signal
 * stops the download (and frees its lock) rather than letting it run on in the background.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { MockHub, type RecordedRequest } from '../hub/mockHub';
import { waitUntil } from '../hub/waitUntil';
import { dataUrl, DEFAULT_TEMPLATE, maxAbsDifference, referenceClassifications, REPO_ROOT, SAME_ENGINE_TOLERANCE, writeImages, writeModels } from './clipE2eFixtures';
import type { Workflow } from './n8nRunner';
import type { HttpResponse, N8nServer } from './n8nServer';

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
const HUB_REPO = 'e2e-org/slow-tiny-clip';
const WEBHOOK = 'zero-shot-image-classification';
const PROMPT_MS = 2000;
const CLASSES = ['red stripes', 'green checker', 'colour gradient'];

interface ExecutionSummary {
	id: string;
	status: string;
	workflowId: string;
}

describe(`stopping an execution during the model download, n8n ${layout.version}`, () => {
	let userFolder: string;
	let hub: MockHub;
	let main: N8nServer;
	let modelFolder: string;
	let image: string;
	const report: string[] = [];

	beforeAll(async () => {
		({ userFolder } = runner.createUserFolder('n8n-e2e-download-cancel-'));
		modelFolder = (await writeModels(path.join(userFolder, 'generated'))).hf;
		[image] = await writeImages(path.join(userFolder, 'files', 'images'), [{ name: 'stripes.jpg', kind: 'stripes', format: 'jpeg', seed: 0 }]);

		hub = await MockHub.start();
		const repoFiles = (readdirSync(modelFolder, { recursive: true }) as string[])
			.map((file) => file.split(path.sep).join('/'))
			.filter((file) => /\.(json|onnx)$/.test(file));
		hub.addRepo({ repo: HUB_REPO, files: repoFiles.map((file) => ({ path: file, content: readFileSync(path.join(modelFolder, file)) })) });

		const port = await server.freePort();
		const env = await server.serverEnv({
			layout,
			userFolder,
			port,
			customExtensions: [REPO_ROOT],
			logLevel: 'info',
			env: { N8N_ZSIC_MODELS_DIR: path.join(userFolder, 'models-cache'), HF_ENDPOINT: hub.endpoint },
		});
		const workflow = runner.rewriteNodeTypes(examples.withModel(examples.loadExample('httpApi'), HUB_REPO), examples.PACKAGE_NAME, runner.CUSTOM_PACKAGE_NAME);
		await server.importAndActivate(layout, [workflow], { env, cwd: userFolder });
		main = await server.startMain({ layout, env, cwd: userFolder, logFile: path.join(userFolder, 'main.log') });
		await server.waitForWebhook(`${main.url}/webhook/${WEBHOOK}`, { proc: main });
	});

	afterAll(async () => {
		if (main) await main.stop();
		if (hub) await hub.stop();
		if (userFolder) runner.removeUserFolder(userFolder);
		process.stderr.write(`\n[download cancel e2e, n8n ${layout.version}]\n  ${report.join('\n  ')}\n`);
	});

	test('a stopped execution stops its download at once, and the execution waiting on the lock completes it', async () => {
		const cookie = await server.ownerSession(main.url);
		const classify = (): Promise<HttpResponse> => server.request('POST', `${main.url}/webhook/${WEBHOOK}`, { image: dataUrl(image), classes: CLASSES });
		const running = async (): Promise<ExecutionSummary[]> => {
			const response = await server.request('GET', `${main.url}/rest/executions`, undefined, { cookie });
			const results = ((response.body as { data?: { results?: ExecutionSummary[] } }).data?.results ?? []).filter((e) => e.status === 'running');
			return results.sort((a, b) => Number(a.id) - Number(b.id));
		};
		const onnxTransfers = (): RecordedRequest[] => hub.requests.filter((r) => r.repo === HUB_REPO && (r.kind === 'cdn' || r.kind === 'resolve-cache') && /\.onnx$/.test(r.file ?? ''));

		// ~160 kB/s: the ~3 MB model takes ~20 s, well above the default floor (16 kB/s).
		hub.throttle = { chunkBytes: 16 * 1024, delayMs: 100 };
		const first = classify();
		await waitUntil(() => onnxTransfers().some((t) => t.bytesSent > 200_000), 60_000, 'the first execution to be downloading');
		const second = classify();
		await waitUntil(() => main.output().includes(`${HUB_REPO}@main is being downloaded by another execution or process; waiting`), 30_000, 'the second execution to wait on the lock');
		let executions: ExecutionSummary[] = [];
		await waitUntil(async () => (executions = await running()).length === 2, 30_000, 'both executions to be listed as running');
		const inFlight = onnxTransfers().find((t) => t.closedAt === undefined);
		expect(inFlight).toBeDefined();

		const stopSentAt = Date.now();
		const stop = await server.request('POST', `${main.url}/rest/executions/${executions[0].id}/stop`, undefined, { cookie });
		const stopAnsweredMs = Date.now() - stopSentAt;
		expect(stop.status).toBe(200);
		await waitUntil(() => inFlight?.closedAt !== undefined, 10_000, 'the stopped execution to hang up on the Hub');
		const hangUpMs = (inFlight?.closedAt ?? Number.NaN) - stopSentAt;
		const firstResponse = await first;
		const firstEndedMs = Date.now() - stopSentAt;

		// The waiting execution takes over at full speed.
		hub.throttle = undefined;
		const secondResponse = await second;
		const secondDoneMs = Date.now() - stopSentAt;
		report.push(
			`stop request answered in ${stopAnsweredMs} ms; the stopped execution's transfer hung up ${hangUpMs} ms after the stop was sent ` +
				`(${inFlight?.bytesSent} bytes of ${inFlight?.file} sent); its webhook call ended after ${firstEndedMs} ms (HTTP ${firstResponse.status}); ` +
				`the waiting execution answered ${secondDoneMs} ms after the stop`,
		);

		expect(hangUpMs).toBeLessThan(PROMPT_MS);
		// Cut short, not merely finished in time.
		expect(inFlight?.bytesSent).toBeLessThan(readFileSync(path.join(modelFolder, inFlight?.file ?? '')).length);
		expect(main.output()).toMatch(new RegExp(`${(inFlight?.file ?? '').replace(/[./]/g, '\\$&')}: download cancelled after .*; the partial file is kept and the next run resumes from there\\.`));

		const stored = await server.request('GET', `${main.url}/rest/executions/${executions[0].id}`, undefined, { cookie });
		expect((stored.body as { data?: { status?: string } }).data?.status).toBe('canceled');

		expect(secondResponse.status).toBe(200);
		const [expected] = referenceClassifications({ model: modelFolder, template: DEFAULT_TEMPLATE, requests: [{ file: image, classes: CLASSES }] });
		expect(maxAbsDifference((secondResponse.body as { probabilities: number[] }).probabilities, expected.probabilities)).toBeLessThan(SAME_ENGINE_TOLERANCE);

		// Taken over, not started again: the interrupted file was resumed from the bytes kept.
		const resumed = hub.transfers(HUB_REPO, inFlight?.file ?? '');
		expect(resumed).toHaveLength(2);
		expect(Number(/^bytes=(\d+)-$/.exec(resumed[1].range ?? '')?.[1])).toBeGreaterThan(0);
		for (const file of new Set(onnxTransfers().map((t) => t.file))) {
			if (file !== inFlight?.file) expect({ file, transfers: hub.transfers(HUB_REPO, file ?? '').length }).toEqual({ file, transfers: 1 });
		}
	});
});
