'use strict';
/**
 * Builds the "Feature extraction API" workflow: the HTTP API of the Python feature-extraction
 * server this package replaces (../shared/seed-api/openapi.json), served by n8n with this
 * package's node. One workflow per job store (stores/*.js); `npm run examples` writes them to
 * examples/, and a specification checks the committed files are what this builds.
 *
 * Routes, relative to the base URL http(s)://<n8n>/webhook/feature-extraction:
 *   POST api/tasks/{task}/{model}/jobs, POST api/tasks/{task}/batched/{model}/jobs  → {id, status}
 *   GET  api/tasks/{task}/jobs/{job},  GET  api/tasks/{task}/batched/jobs/{job}     → {status[, result]}
 *   POST api/legacy/tasks/{task}/{model}/jobs                                       → the result itself
 *   GET  api/tasks, api/models, api/tasks/{task}/models, api/models/{model}/tasks
 * n8n serves webhook paths with :parameters under the node's webhook id: every webhook here has
 * the id `feature-extraction`, and the static ones carry it in their path, so all routes share
 * one prefix.
 */
const fs = require('node:fs');
const path = require('node:path');
const { nodeId } = require('./nodeId');

const PREFIX = 'feature-extraction';
const NODE_TYPE = 'n8n-nodes-zero-shot-image-classification.zeroShotImageClassification';
const DEFAULT_TEMPLATE = 'a photo of a {}.';
/** Completed and failed jobs are kept this long after they finish, then purged. */
const RETENTION_MINUTES = 15;

/** The trigger names: the Settings node records which one fired, the Route switch reads it. */
const TRIGGER = {
	postJob: 'POST job',
	postBatchedJob: 'POST batched job',
	postLegacyJob: 'POST legacy job',
	getJob: 'GET job',
	getBatchedJob: 'GET batched job',
	getTasks: 'GET tasks',
	getModels: 'GET models',
	getListing: 'GET listing',
	everyMinute: 'Every minute',
	onStart: 'On n8n start',
	onFailure: 'On failed execution',
};

/** The model names of the replaced server, then every preset of this package under its own id. */
function modelMap(presetIds) {
	const models = { 'clip-vit-large-patch14': 'clip-vit-large-patch14', 'open-clip-vit-b32': 'openclip-xlm-roberta-base-vit-b-32' };
	for (const id of [...presetIds].sort()) models[id] = id;
	return models;
}

/** A Code node's script: the function file from code/ without its export, then the call. */
function codeFrom(file, call) {
	const source = fs.readFileSync(path.join(__dirname, 'code', file), 'utf8');
	const body = source.replace(/\nmodule\.exports = [^\n]*\n?$/, '\n');
	if (body === source) throw new Error(`${file} does not end with its module.exports line`);
	return `${body.trimEnd()}\n\n${call.trim()}\n`;
}

function webhook(name, method, webhookPath, position, extra = {}) {
	return {
		id: nodeId(name),
		name,
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2.1,
		position,
		webhookId: PREFIX,
		parameters: { httpMethod: method, path: webhookPath, responseMode: extra.responseMode || 'responseNode', options: extra.options || {} },
	};
}

function respond(name, position, { body = '={{ $json.response }}', code = '={{ $json.statusCode }}' } = {}) {
	return {
		id: nodeId(name),
		name,
		type: 'n8n-nodes-base.respondToWebhook',
		typeVersion: 1.4,
		position,
		parameters: { respondWith: 'json', responseBody: body, options: { responseCode: code } },
	};
}

function code(name, position, jsCode) {
	return { id: nodeId(name), name, type: 'n8n-nodes-base.code', typeVersion: 2, position, parameters: { jsCode } };
}

function equals(left, right) {
	return { id: nodeId(`${left}=${right}`), leftValue: left, rightValue: right, operator: { type: 'string', operation: 'equals' } };
}

function isTrue(left) {
	return { id: nodeId(`${left} is true`), leftValue: left, rightValue: '', operator: { type: 'boolean', operation: 'true', singleValue: true } };
}

const CONDITION_OPTIONS = { caseSensitive: true, leftValue: '', typeValidation: 'loose', version: 2 };

/** A Switch whose outputs are named; each rule matches when any of its conditions holds. */
function switchNode(name, position, rules) {
	return {
		id: nodeId(name),
		name,
		type: 'n8n-nodes-base.switch',
		typeVersion: 3.2,
		position,
		parameters: {
			rules: {
				values: rules.map(({ output, conditions }) => ({
					conditions: { options: CONDITION_OPTIONS, conditions, combinator: 'or' },
					renameOutput: true,
					outputKey: output,
				})),
			},
			options: {},
		},
	};
}

function ifNode(name, position, condition) {
	return {
		id: nodeId(name),
		name,
		type: 'n8n-nodes-base.if',
		typeVersion: 2.2,
		position,
		parameters: { conditions: { options: CONDITION_OPTIONS, conditions: [condition], combinator: 'and' }, options: {} },
	};
}

function sticky(name, position, size, content) {
	return { id: nodeId(name), name, type: 'n8n-nodes-base.stickyNote', typeVersion: 1, position, parameters: { width: size[0], height: size[1], content } };
}

/** Where every model of a job comes from: `job.run` is a preset id, a model folder or a Hub repo. */
function modelParameters() {
	return { model: 'custom', customModel: '={{ $json.job.run }}' };
}

/**
 * The workflow for one job store. `store` (stores/*.js) makes the nodes that keep jobs; the rest
 * (routes, checks, running a job, retention) is the same for every store.
 *
 * A job runs in the execution that took its POST, after the answer with its id: nothing is
 * handed between executions (the images are not stored or sent again), and the execution id the
 * store records is the one to watch. Polls run a short path of their own (no Code node sees an
 * image: n8n sends a Code node's input to its task runner process).
 */
function buildWorkflow({ id, name, store, presetIds }) {
	const T = TRIGGER;
	const col = (x) => x * 260;
	const row = (y) => y * 200;
	const nodes = [];
	const connections = {};
	const add = (node) => (nodes.push(node), node.name);
	const link = (from, to, output = 0) => {
		connections[from] ??= { main: [] };
		const outputs = connections[from].main;
		while (outputs.length <= output) outputs.push([]);
		outputs[output].push({ node: to, type: 'main', index: 0 });
	};
	const setNode = (nodeName, position, assignments, includeOtherFields = false) => ({
		id: nodeId(nodeName),
		name: nodeName,
		type: 'n8n-nodes-base.set',
		typeVersion: 3.4,
		position,
		parameters: {
			assignments: { assignments: assignments.map(([field, value, type]) => ({ id: nodeId(`${nodeName}.${field}`), name: field, value, type })) },
			...(includeOtherFields ? { includeOtherFields: true } : {}),
			options: {},
		},
	});

	// ---- triggers ------------------------------------------------------------------------------
	const jobTriggers = [
		webhook(T.postJob, 'POST', 'api/tasks/:task/:model/jobs', [col(0), row(0)]),
		webhook(T.postBatchedJob, 'POST', 'api/tasks/:task/batched/:model/jobs', [col(0), row(1)]),
		webhook(T.postLegacyJob, 'POST', 'api/legacy/tasks/:task/:model/jobs', [col(0), row(2)]),
	];
	const pollTriggers = [webhook(T.getJob, 'GET', 'api/tasks/:task/jobs/:job', [col(0), row(4)]), webhook(T.getBatchedJob, 'GET', 'api/tasks/:task/batched/jobs/:job', [col(0), row(5)])];
	const otherTriggers = [
		webhook(T.getTasks, 'GET', `${PREFIX}/api/tasks`, [col(0), row(7)]),
		webhook(T.getModels, 'GET', `${PREFIX}/api/models`, [col(0), row(8)]),
		// One template for both 4-segment listings: n8n matches a path with :parameters by its fixed
		// segments in any order, so api/tasks/:task/models and api/models/:model/tasks would collide.
		webhook(T.getListing, 'GET', 'api/:kind/:name/:listing', [col(0), row(9)]),
		{ id: nodeId(T.everyMinute), name: T.everyMinute, type: 'n8n-nodes-base.scheduleTrigger', typeVersion: 1.2, position: [col(0), row(10)], parameters: { rule: { interval: [{ field: 'minutes', minutesInterval: 1 }] } } },
		{ id: nodeId(T.onStart), name: T.onStart, type: 'n8n-nodes-base.n8nTrigger', typeVersion: 1, position: [col(0), row(11)], parameters: { events: ['init', 'activate'] } },
		{ id: nodeId(T.onFailure), name: T.onFailure, type: 'n8n-nodes-base.errorTrigger', typeVersion: 1, position: [col(0), row(12)], parameters: {} },
	];
	for (const trigger of [...jobTriggers, ...pollTriggers, ...otherTriggers]) add(trigger);

	// ---- settings and routing --------------------------------------------------------------------
	const settings = add(
		setNode(
			'Settings',
			[col(1), row(6)],
			[
				['trigger', '={{ $prevNode.name }}', 'string'],
				// URL model name → what the node runs: a preset id, a model folder, or a Hub repo owner/name.
				['models', JSON.stringify(modelMap(presetIds), null, 2), 'object'],
				['retentionMinutes', RETENTION_MINUTES, 'number'],
			],
			true,
		),
	);
	for (const trigger of [...jobTriggers, ...otherTriggers]) link(trigger.name, settings);
	const trig = '={{ $json.trigger }}';
	const route = add(
		switchNode('Route', [col(2), row(6)], [
			{ output: 'new job', conditions: jobTriggers.map((t) => equals(trig, t.name)) },
			{ output: 'listing', conditions: [equals(trig, T.getTasks), equals(trig, T.getModels), equals(trig, T.getListing)] },
			{ output: 'every minute', conditions: [equals(trig, T.everyMinute)] },
			{ output: 'n8n started', conditions: [equals(trig, T.onStart)] },
			{ output: 'execution failed', conditions: [equals(trig, T.onFailure)] },
		]),
	);
	link(settings, route);

	// ---- new job: check it, store it, answer with its id -------------------------------------------
	// The checks need the body's shape only: long strings (the images) are cut before the Code node.
	const request = add(
		setNode('Request', [col(3), row(0)], [
			['trigger', '={{ $json.trigger }}', 'string'],
			['params', '={{ $json.params }}', 'object'],
			['models', '={{ $json.models }}', 'object'],
			['bodyOutline', '={{ JSON.parse(JSON.stringify($json.body === undefined ? null : $json.body, (key, value) => typeof value === "string" && value.length > 64 ? value.slice(0, 64) : value)) }}', 'object'],
		]),
	);
	link(route, request, 0);
	// n8n's Code node has no crypto.randomUUID; the Crypto node makes the job id (a v4 UUID).
	const newId = add({ id: nodeId('New job id'), name: 'New job id', type: 'n8n-nodes-base.crypto', typeVersion: 2, position: [col(4), row(0)], parameters: { action: 'generate', dataPropertyName: 'jobId', encodingType: 'uuid' } });
	link(request, newId);
	const check = add(
		code(
			'Check request',
			[col(5), row(0)],
			codeFrom(
				'jobRequest.js',
				`const request = $input.first().json;
const route = { ${JSON.stringify(T.postJob)}: 'single', ${JSON.stringify(T.postBatchedJob)}: 'batched', ${JSON.stringify(T.postLegacyJob)}: 'legacy' }[request.trigger];
return [{ json: jobRequest({ route, params: request.params, body: request.bodyOutline, models: request.models, newId: () => request.jobId }) }];`,
			),
		),
	);
	link(newId, check);
	const outcome = add(
		switchNode('Accepted?', [col(6), row(0)], [
			{ output: 'refused', conditions: [isTrue('={{ $json.job === undefined }}')] },
			{ output: 'job', conditions: [isTrue('={{ $json.job.legacy === false }}')] },
			{ output: 'legacy job', conditions: [isTrue('={{ $json.job.legacy === true }}')] },
		]),
	);
	link(check, outcome);
	link(outcome, add(respond('Answer: refused', [col(7), row(-1)])), 0);
	const checked = "$('Check request').item.json.job";
	const create = add(store.createJob('Create job', [col(7), row(0)], checked));
	link(outcome, create, 1);
	const answerId = add(respond('Answer: job id', [col(8), row(0)], { body: `={{ { id: ${checked}.id, status: 'starting' } }}`, code: 200 }));
	link(create, answerId);

	// ---- run the job (in the same execution, after the answer) ------------------------------------
	// The checked job with its input (the images or texts) put back from the request.
	const theJob = add(
		setNode('Job', [col(9), row(1)], [
			['job', `={{ { ...${checked}, input: { ...${checked}.input, [${checked}.field]: $('Settings').item.json.body[${checked}.field] } } }}`, 'object'],
		]),
	);
	link(answerId, theJob);
	link(outcome, theJob, 2);
	const stored = add(ifNode('Stored job?', [col(10), row(1)], isTrue('={{ $json.job.legacy === false }}')));
	link(theJob, stored);
	// Runs first (placed higher on the canvas: n8n runs branches top to bottom), then the task.
	link(stored, add(store.startJob('Start job', [col(11), row(0)], '$json.job.id')), 0);
	const task = add(
		switchNode('Task', [col(11), row(2)], [
			{ output: 'zero-shot-image-classification', conditions: [equals('={{ $json.job.task }}', 'zero-shot-image-classification')] },
			{ output: 'image-embedding', conditions: [equals('={{ $json.job.task }}', 'image-embedding')] },
			{ output: 'text-embedding', conditions: [equals('={{ $json.job.task }}', 'text-embedding')] },
		]),
	);
	link(stored, task, 0);
	link(stored, task, 1);
	const config = '$json.job.input.config';
	const runners = [
		add({
			id: nodeId('Classify'),
			name: 'Classify',
			type: NODE_TYPE,
			typeVersion: 1,
			position: [col(12), row(1)],
			onError: 'continueErrorOutput',
			parameters: {
				operation: 'classify',
				...modelParameters(),
				imageSource: 'json',
				imageField: 'job.input.image',
				classDefinition: 'names',
				classes: '={{ $json.job.input.classes }}',
				prompts: 'template',
				promptTemplate: `={{ ${config}.template || ${JSON.stringify(DEFAULT_TEMPLATE)} }}`,
				output: 'single',
				options: {
					confidenceThreshold: `={{ Number(${config}.threshold || 0) }}`,
					multiLabel: `={{ Boolean(${config}.multi_label) }}`,
					outputField: 'output',
				},
			},
		}),
		add({
			id: nodeId('Embed image'),
			name: 'Embed image',
			type: NODE_TYPE,
			typeVersion: 1,
			position: [col(12), row(2)],
			onError: 'continueErrorOutput',
			parameters: { operation: 'embedImage', ...modelParameters(), imageSource: 'json', imageField: 'job.input.image', options: { outputField: 'output' } },
		}),
		add({
			id: nodeId('Embed text'),
			name: 'Embed text',
			type: NODE_TYPE,
			typeVersion: 1,
			position: [col(12), row(3)],
			onError: 'continueErrorOutput',
			parameters: { operation: 'embedText', ...modelParameters(), text: '={{ $json.job.input.text }}', textTemplate: `={{ ${config}.template || '' }}`, options: { outputField: 'output' } },
		}),
	];
	// What the outcome needs, without the images (the Code node's input goes to another process).
	const outcomeInput = add(
		setNode('Outcome input', [col(13), row(2)], [
			['job', "={{ { id: $('Job').item.json.job.id, task: $('Job').item.json.job.task, batched: $('Job').item.json.job.batched, legacy: $('Job').item.json.job.legacy } }}", 'object'],
			['output', '={{ $json.error !== undefined ? { error: $json.error } : $json.output }}', 'object'],
		]),
	);
	runners.forEach((runner, i) => {
		link(task, runner, i);
		link(runner, outcomeInput, 0);
		link(runner, outcomeInput, 1);
	});
	const jobOutcome = add(code('Job outcome', [col(14), row(2)], codeFrom('jobOutcome.js', `return [{ json: jobOutcome($input.first().json) }];`)));
	link(outcomeInput, jobOutcome);
	const keep = add(ifNode('Keep outcome?', [col(15), row(2)], isTrue('={{ $json.job.legacy === false }}')));
	link(jobOutcome, keep);
	link(keep, add(store.finishJob('Finish job', [col(16), row(1)])), 0);
	link(
		keep,
		add(
			respond('Answer: legacy result', [col(16), row(3)], {
				body: "={{ $json.status === 'complete' ? $json.result : { detail: 'Error while running job: ' + $json.error } }}",
				code: "={{ $json.status === 'complete' ? 200 : 500 }}",
			}),
		),
		1,
	);

	// ---- read a job (polls: a short path, no settings) ---------------------------------------------
	const poll = add(
		setNode('Poll', [col(1), row(4.5)], [
			['job', '={{ $json.params.job }}', 'string'],
			['task', '={{ $json.params.task }}', 'string'],
			['batched', `={{ $prevNode.name === ${JSON.stringify(T.getBatchedJob)} }}`, 'boolean'],
		]),
	);
	for (const trigger of pollTriggers) link(trigger.name, poll);
	const find = add(store.findJob('Find job', [col(2), row(4.5)], "$json.job"));
	link(poll, find);
	const answerJob = add(
		code(
			'Answer job',
			[col(3), row(4.5)],
			codeFrom(
				'jobAnswer.js',
				`const poll = $('Poll').first().json;
const row = $input.all().map((item) => item.json).find((json) => json.job_id !== undefined && json.job_id !== null);
return [{ json: jobAnswer({ row, task: poll.task, batched: poll.batched }) }];`,
			),
		),
	);
	link(find, answerJob);
	link(answerJob, add(respond('Answer: job', [col(4), row(4.5)])));

	// ---- listings ---------------------------------------------------------------------------------
	const list = add(
		code(
			'List tasks and models',
			[col(3), row(8)],
			codeFrom(
				'listing.js',
				`const request = $input.first().json;
const path = request.trigger === ${JSON.stringify(T.getTasks)} ? ['tasks'] : request.trigger === ${JSON.stringify(T.getModels)} ? ['models'] : [request.params.kind, request.params.name, request.params.listing];
return [{ json: listing({ path, models: request.models }) }];`,
			),
		),
	);
	link(route, list, 1);
	link(list, add(respond('Answer: listing', [col(4), row(8)])));

	// ---- upkeep -----------------------------------------------------------------------------------
	const minute = store.everyMinute([col(3), row(10)]);
	link(route, minute.first, 2);
	for (const node of minute.nodes) add(node);
	for (const [from, to] of minute.links) link(from, to);
	const started = store.onStart([col(3), row(11)], T.onStart);
	link(route, started.first, 3);
	for (const node of started.nodes) add(node);
	for (const [from, to, output] of started.links) link(from, to, output);
	link(route, add(store.failJobOfExecution('Fail job of that execution', [col(3), row(12)])), 4);

	nodes.push(
		sticky('About', [col(0) - 40, row(-4)], [1100, 580], about(store)),
		sticky('Note: new job', [col(3) - 30, row(-1) - 90], [1600, 520], NOTES.newJob),
		sticky('Note: run job', [col(9) - 30, row(0) - 90], [2000, 880], NOTES.runJob),
		sticky('Note: read job', [col(1) - 30, row(4.5) - 90], [1100, 260], NOTES.readJob),
		sticky('Note: upkeep', [col(3) - 30, row(10) - 90], [1200, 640], store.upkeepNote),
	);

	return {
		id,
		name,
		nodes,
		connections,
		settings: {
			executionOrder: 'v1',
			// Jobs carry whole images: successful executions (every poll, every job) are not stored.
			saveDataSuccessExecution: 'none',
			saveDataErrorExecution: 'all',
			saveManualExecutions: true,
			// Its own error workflow (On failed execution): a job whose execution fails is marked failed.
			errorWorkflow: id,
			callerPolicy: 'workflowsFromSameOwner',
		},
		pinData: {},
		active: false,
		tags: [],
	};
}

function about(store) {
	return `## Feature extraction API (${store.title})
The HTTP API of the Python feature-extraction server this package replaces, for its clients (e.g. vitrivr-engine): change only their base URL to **\`http://<n8n>:5678/webhook/${PREFIX}\`**.

- \`POST api/tasks/{task}/{model}/jobs\` (and \`…/batched/{model}/jobs\`) → \`{"id", "status": "starting"}\` at once; poll \`GET api/tasks/{task}/jobs/{id}\` (\`…/batched/jobs/{id}\`) until \`complete\` (with \`result\`) or \`failed\` (with \`error\`).
- \`POST api/legacy/tasks/{task}/{model}/jobs\` answers the result itself.
- \`GET api/tasks\`, \`api/models\`, \`api/tasks/{task}/models\`, \`api/models/{model}/tasks\`.
- Tasks: \`zero-shot-image-classification\` (\`image\`, \`classes\`, optional \`config\`: \`template\`, \`threshold\`, \`multi_label\`), \`image-embedding\` (\`image\`), \`text-embedding\` (\`text\`). Images as data URLs or bare base64.

**Settings**: \`models\` maps the URL's model names to a preset id, a model folder or a Hub repo (add yours); \`retentionMinutes\`: how long finished jobs are kept (default ${RETENTION_MINUTES}). Jobs are kept in ${store.where}.

Publish (activate) the workflow. Docs: docs/examples.md in the package repository.`;
}

const NOTES = {
	newJob: `### New job
**Check request** validates the body as the server's schema did (a misfit is answered 422, FastAPI's shape, and no job is made) and resolves the model; **Create job** stores it as \`starting\` with this execution's id; **Answer: job id** answers before anything runs. The legacy route skips the store and answers the result at the end.`,
	readJob: `### Read job
The stored job: \`starting\`/\`running\`, \`complete\` with \`result\`, \`failed\` with \`error\`; unknown ids 404 \`{"detail": "Job not found"}\`. Jobs stay readable for \`retentionMinutes\` after they finish.`,
	runJob: `### Run job
In the execution that took the POST, after the answer. **Start job** marks it \`running\`, the node for its task runs it (models load once per process and stay loaded; jobs of one model take turns on it), **Job outcome** builds the server's result shape (or the error, naming the image of a batch), **Finish job** stores it. If the execution dies instead (n8n stopped, a worker killed), upkeep marks the job failed.`,
};

module.exports = { buildWorkflow, modelMap, PREFIX, TRIGGER, RETENTION_MINUTES };
