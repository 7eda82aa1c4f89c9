/**
 * The feature-extraction API workflows (examples/feature-extraction-api*.json): the committed
 * files are what scripts/featureExtractionApi builds, and the Code nodes' functions answer as the
 * replaced server did. The HTTP behaviour in real n8n is test/e2e/featureExtractionApi.e2e.test.ts.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';

const REPO_ROOT = path.join(__dirname, '..', '..');
const SEED_API_DOCUMENT = path.join(REPO_ROOT, '..', 'shared', 'seed-api', 'openapi.json');

interface Job {
	id: string;
	task: string;
	batched: boolean;
	legacy: boolean;
	model: string;
	run: string;
	field: string;
	input: { config: object; classes?: string[] };
}
interface Answer {
	statusCode: number;
	response: unknown;
}
type Models = Record<string, string>;

/* eslint-disable @typescript-eslint/no-require-imports */
const { featureExtractionApiFiles, VARIANTS } = require('../../scripts/featureExtractionApi/examples') as {
	featureExtractionApiFiles: () => Array<[string, string]>;
	VARIANTS: Array<{ file: string; id: string }>;
};
const { jobRequest } = require('../../scripts/featureExtractionApi/code/jobRequest') as {
	jobRequest: (args: { route: string; params: Record<string, string>; body: unknown; models: Models; newId: () => string }) => Answer | { job: Job };
};
const { jobOutcome } = require('../../scripts/featureExtractionApi/code/jobOutcome') as {
	jobOutcome: (args: { job: Partial<Job>; output: Record<string, unknown> }) => { status: string; result?: unknown; error?: string };
};
const { jobAnswer } = require('../../scripts/featureExtractionApi/code/jobAnswer') as {
	jobAnswer: (args: { row: Record<string, unknown> | undefined; task: string; batched: boolean }) => Answer;
};
const { listing } = require('../../scripts/featureExtractionApi/code/listing') as {
	listing: (args: { path: string[]; models: Models }) => Answer;
};
/* eslint-enable @typescript-eslint/no-require-imports */

const MODELS: Models = { 'clip-vit-large-patch14': 'clip-vit-large-patch14', 'open-clip-vit-b32': 'openclip-xlm-roberta-base-vit-b-32' };
const ZERO_SHOT = 'zero-shot-image-classification';

function request(body: unknown, { route = 'single', task = ZERO_SHOT, model = 'clip-vit-large-patch14' } = {}) {
	return jobRequest({ route, params: { task, model }, body, models: MODELS, newId: () => 'job-1' });
}

function refusal(answer: ReturnType<typeof request>): Answer {
	if (!('statusCode' in answer)) throw new Error(`expected a refusal, got the job ${JSON.stringify(answer)}`);
	return answer;
}

function detailLocations(answer: ReturnType<typeof request>): string[] {
	const { response } = refusal(answer);
	return (response as { detail: Array<{ loc: string[] }> }).detail.map((entry) => entry.loc.join('.'));
}

interface WorkflowNode {
	name: string;
	type: string;
	parameters: { assignments?: { assignments: Array<{ name: string; value: string }> } };
}

describe('the committed API workflows', () => {
	test.each(featureExtractionApiFiles())('examples/%s is what scripts/featureExtractionApi builds (run `npm run examples`)', (file, text) => {
		expect(readFileSync(path.join(REPO_ROOT, 'examples', file), 'utf8')).toBe(text);
	});

	test('every model preset and both of the replaced server\'s model names are served', () => {
		const presets = readdirSync(path.join(REPO_ROOT, 'models'))
			.filter((file) => file.endsWith('.json'))
			.map((file) => (JSON.parse(readFileSync(path.join(REPO_ROOT, 'models', file), 'utf8')) as { id: string }).id);
		for (const [, text] of featureExtractionApiFiles()) {
			const settings = (JSON.parse(text) as { nodes: WorkflowNode[] }).nodes.find((node) => node.name === 'Settings');
			const models = JSON.parse(settings!.parameters.assignments!.assignments.find((a) => a.name === 'models')!.value) as Models;
			expect(Object.keys(models)).toEqual(expect.arrayContaining([...presets, 'clip-vit-large-patch14', 'open-clip-vit-b32']));
			expect(models['open-clip-vit-b32']).toBe('openclip-xlm-roberta-base-vit-b-32');
		}
	});

	test('each store has its own workflow id, so both can be imported into one n8n', () => {
		expect(new Set(VARIANTS.map((variant) => variant.id)).size).toBe(VARIANTS.length);
	});
});

describe('Check request (job creation)', () => {
	test('a valid zero-shot request becomes a job with the id, the model the node runs and its classes', () => {
		const answer = request({ image: 'data:image/png;base64,AAAA', classes: ['cat', 'dog'] }, { model: 'open-clip-vit-b32' });
		expect(answer).toEqual({
			job: { id: 'job-1', task: ZERO_SHOT, batched: false, legacy: false, model: 'open-clip-vit-b32', run: 'openclip-xlm-roberta-base-vit-b-32', field: 'image', input: { config: {}, classes: ['cat', 'dog'] } },
		});
	});

	test('config is optional and kept as given', () => {
		const answer = request({ image: 'x', classes: ['a'], config: { template: 'a {}', threshold: 0.3 } }) as { job: Job };
		expect(answer.job.input.config).toEqual({ template: 'a {}', threshold: 0.3 });
	});

	test('a request without image is refused with 422 at body.image', () => {
		expect(refusal(request({ classes: ['a'] })).statusCode).toBe(422);
		expect(detailLocations(request({ classes: ['a'] }))).toEqual(['body.image']);
	});

	test('classes that are not a list of strings are refused at the offending entry (list indexes as strings)', () => {
		expect(detailLocations(request({ image: 'x', classes: 'cat' }))).toEqual(['body.classes']);
		expect(detailLocations(request({ image: 'x', classes: ['cat', 3] }))).toEqual(['body.classes.1']);
	});

	test('a batched request whose image is not a list is refused; a single one whose image is a list too', () => {
		expect(detailLocations(request({ image: 'x', classes: ['a'] }, { route: 'batched' }))).toEqual(['body.image']);
		expect(detailLocations(request({ image: ['x'], classes: ['a'] }))).toEqual(['body.image']);
		expect(request({ image: ['x', 'y'], classes: ['a'] }, { route: 'batched' })).toHaveProperty('job.batched', true);
	});

	test('text-embedding takes text, not image, and no classes', () => {
		expect(detailLocations(request({ image: 'x' }, { task: 'text-embedding' }))).toEqual(['body.text']);
		const answer = request({ text: 'hello' }, { task: 'text-embedding' }) as { job: Job };
		expect(answer.job).toMatchObject({ field: 'text', input: { config: {} } });
		expect(answer.job.input).not.toHaveProperty('classes');
	});

	test('a config that is not an object is refused', () => {
		expect(detailLocations(request({ image: 'x', config: [1] }))).toEqual(['body.config']);
	});

	test('an unknown model is refused naming the known ones', () => {
		const answer = refusal(request({ image: 'x', classes: ['a'] }, { model: 'resnet' }));
		expect(answer.statusCode).toBe(422);
		const [first] = (answer.response as { detail: Array<{ loc: string[]; msg: string }> }).detail;
		expect(first.loc).toEqual(['path', 'model']);
		expect(first.msg).toBe("Input should be 'clip-vit-large-patch14' or 'open-clip-vit-b32' (no model is called 'resnet')");
	});

	test('an unknown task is 404 Not Found, as FastAPI answers a route it does not have', () => {
		expect(refusal(request({ image: 'x' }, { task: 'object-detection' }))).toEqual({ statusCode: 404, response: { detail: 'Not Found' } });
	});

	test('the legacy route makes a legacy job', () => {
		expect(request({ image: 'x', classes: ['a'] }, { route: 'legacy' })).toHaveProperty('job.legacy', true);
	});

	const seedApi = existsSync(SEED_API_DOCUMENT) ? describe : describe.skip;
	if (!existsSync(SEED_API_DOCUMENT)) console.warn(`skipping the OpenAPI checks of the 422 answers: ${SEED_API_DOCUMENT} is absent`);
	seedApi('against the replaced server\'s OpenAPI document', () => {
		test('every 422 answer is an HTTPValidationError', () => {
			const ajv = new Ajv2020({ strict: false, allErrors: true });
			ajv.addSchema(JSON.parse(readFileSync(SEED_API_DOCUMENT, 'utf8')) as object, 'openapi.json');
			const validate = ajv.getSchema('openapi.json#/components/schemas/HTTPValidationError')!;
			const refused = [
				request({ classes: ['a'] }),
				request({ image: 'x', classes: ['a', 2] }),
				request({ image: 'x' }, { route: 'batched' }),
				request('not an object'),
				request({ image: 'x' }, { model: 'nope' }),
				request({ image: 'x', config: 'c' }),
			];
			for (const answer of refused) {
				expect(validate(refusal(answer).response)).toBe(true);
			}
		});
	});
});

describe('Job outcome (the result a job answers)', () => {
	test('a classification answers its probabilities in class order', () => {
		expect(jobOutcome({ job: { task: ZERO_SHOT, batched: false }, output: { probabilities: [0.7, 0.3], label: 'cat' } })).toMatchObject({ status: 'complete', result: { probabilities: [0.7, 0.3] } });
	});

	test('a batched classification answers one entry per image, in image order', () => {
		const outcome = jobOutcome({ job: { task: ZERO_SHOT, batched: true }, output: { probabilities: [[0.9, 0.1], [0.2, 0.8]] } });
		expect(outcome.result).toEqual([{ probabilities: [0.9, 0.1] }, { probabilities: [0.2, 0.8] }]);
	});

	test('threshold fields (labels, matched) are answered only when the node gave them', () => {
		const outcome = jobOutcome({ job: { task: ZERO_SHOT, batched: false }, output: { probabilities: [0.6, 0.4], labels: ['cat'], matched: true } });
		expect(outcome.result).toEqual({ probabilities: [0.6, 0.4], labels: ['cat'], matched: true });
	});

	test('embeddings answer {embedding}, batched ones a list of them', () => {
		expect(jobOutcome({ job: { task: 'text-embedding', batched: false }, output: { embedding: [0.6, 0.8] } }).result).toEqual({ embedding: [0.6, 0.8] });
		expect(jobOutcome({ job: { task: 'image-embedding', batched: true }, output: { embedding: [[1, 0], [0, 1]] } }).result).toEqual([{ embedding: [1, 0] }, { embedding: [0, 1] }]);
	});

	test("a failed run names the cause without the node's item prefix", () => {
		const outcome = jobOutcome({ job: { task: ZERO_SHOT, batched: true }, output: { error: 'Item 0: image 2 of 3: the image could not be decoded' } });
		expect(outcome).toMatchObject({ status: 'failed', error: 'image 2 of 3: the image could not be decoded' });
	});
});

describe('Answer job (GET …/jobs/{job})', () => {
	const row = { job_id: 'job-1', task: ZERO_SHOT, batched: false, status: 'running' };

	test('an unknown id is 404 Job not found', () => {
		expect(jobAnswer({ row: undefined, task: ZERO_SHOT, batched: false })).toEqual({ statusCode: 404, response: { detail: 'Job not found' } });
	});

	test('a job is not found on another task or on the batched route', () => {
		expect(jobAnswer({ row, task: 'image-embedding', batched: false }).statusCode).toBe(404);
		expect(jobAnswer({ row, task: ZERO_SHOT, batched: true }).statusCode).toBe(404);
	});

	test('a job in progress answers its status only', () => {
		expect(jobAnswer({ row, task: ZERO_SHOT, batched: false })).toEqual({ statusCode: 200, response: { status: 'running' } });
	});

	test('a complete job answers its stored result, as often as it is asked', () => {
		const complete = { ...row, status: 'complete', result: JSON.stringify({ probabilities: [1] }) };
		const first = jobAnswer({ row: complete, task: ZERO_SHOT, batched: false });
		expect(first).toEqual({ statusCode: 200, response: { status: 'complete', result: { probabilities: [1] } } });
		expect(jobAnswer({ row: complete, task: ZERO_SHOT, batched: false })).toEqual(first);
	});

	test('a failed job answers 200 with status failed and the error', () => {
		expect(jobAnswer({ row: { ...row, status: 'failed', error: 'boom' }, task: ZERO_SHOT, batched: false })).toEqual({ statusCode: 200, response: { status: 'failed', error: 'boom' } });
	});
});

describe('List tasks and models', () => {
	const tasks = ['zero-shot-image-classification', 'image-embedding', 'text-embedding'];

	test('GET api/tasks and api/models list the tasks and the model names', () => {
		expect(listing({ path: ['tasks'], models: MODELS }).response).toEqual(tasks);
		expect(listing({ path: ['models'], models: MODELS }).response).toEqual(['clip-vit-large-patch14', 'open-clip-vit-b32']);
	});

	test('every model serves every task; an unknown one serves none', () => {
		expect(listing({ path: ['tasks', 'image-embedding', 'models'], models: MODELS }).response).toEqual(Object.keys(MODELS));
		expect(listing({ path: ['models', 'open-clip-vit-b32', 'tasks'], models: MODELS }).response).toEqual(tasks);
		expect(listing({ path: ['models', 'resnet', 'tasks'], models: MODELS }).response).toEqual([]);
	});

	test('another path is 404', () => {
		expect(listing({ path: ['models', 'x', 'jobs'], models: MODELS }).statusCode).toBe(404);
	});
});
