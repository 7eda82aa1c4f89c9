// Code node "Check request" of the feature-extraction API workflow: checks a job request as the
// replaced server (FastAPI + pydantic 2) did and turns it into a job, or into the answer that
// refuses it. It sees the body with long strings cut short (the Request node): the checks need
// only its shape, and a Code node's input is copied to another process. Edit it in the workflow; the repository keeps its source in
// scripts/featureExtractionApi/code/jobRequest.js (the workflow JSON is generated from it).

/** The tasks of the API, their input field and whether they take classes. */
const TASKS = {
	'zero-shot-image-classification': { field: 'image', classes: true },
	'image-embedding': { field: 'image', classes: false },
	'text-embedding': { field: 'text', classes: false },
};

/** The body checked against the task's schema; FastAPI's 422 `detail` entries for what does not fit. */
function validationErrors(task, batched, body) {
	const errors = [];
	// The document types `loc` as a list of strings: list indexes are given as strings too.
	const add = (type, loc, msg, input) => errors.push({ type, loc: ['body', ...loc.map(String)], msg, input });
	if (body === null || typeof body !== 'object' || Array.isArray(body)) {
		add('model_attributes_type', [], 'Input should be a valid dictionary or object to extract fields from', body);
		return errors;
	}
	const { field, classes } = TASKS[task];
	const value = body[field];
	if (value === undefined) add('missing', [field], 'Field required', body);
	else if (batched) {
		if (!Array.isArray(value)) add('list_type', [field], 'Input should be a valid list', value);
		else value.forEach((entry, i) => typeof entry !== 'string' && add('string_type', [field, i], 'Input should be a valid string', entry));
	} else if (typeof value !== 'string') add('string_type', [field], 'Input should be a valid string', value);
	if (classes && body.classes !== undefined) {
		if (!Array.isArray(body.classes)) add('list_type', ['classes'], 'Input should be a valid list', body.classes);
		else body.classes.forEach((entry, i) => typeof entry !== 'string' && add('string_type', ['classes', i], 'Input should be a valid string', entry));
	}
	if (body.config !== undefined && (body.config === null || typeof body.config !== 'object' || Array.isArray(body.config))) {
		add('dict_type', ['config'], 'Input should be a valid dictionary', body.config);
	}
	return errors;
}

/**
 * The answer to a request for a job, or the job. `route` says which webhook took it (`single`,
 * `batched` or `legacy`); `models` maps the model names of the URLs to what the node runs; `newId` gives the job's id.
 */
function jobRequest({ route, params, body, models, newId }) {
	if (!Object.prototype.hasOwnProperty.call(TASKS, params.task)) return { statusCode: 404, response: { detail: 'Not Found' } };
	const batched = route === 'batched';
	const errors = validationErrors(params.task, batched, body);
	const model = Object.prototype.hasOwnProperty.call(models, params.model) ? models[params.model] : undefined;
	if (!model) {
		const known = Object.keys(models).map((name) => `'${name}'`);
		const expected = known.length > 1 ? `${known.slice(0, -1).join(', ')} or ${known[known.length - 1]}` : known.join('');
		errors.unshift({ type: 'enum', loc: ['path', 'model'], msg: `Input should be ${expected} (no model is called '${params.model}')`, input: params.model, ctx: { expected } });
	}
	if (errors.length > 0) return { statusCode: 422, response: { detail: errors } };
	const { field, classes } = TASKS[params.task];
	// The images or texts themselves join the job after this check (the workflow's Job node):
	// `field` says which body field holds them.
	const input = { config: body.config || {} };
	if (classes) input.classes = body.classes || [];
	return { job: { id: newId(), task: params.task, batched, legacy: route === 'legacy', model: params.model, run: model, field, input } };
}

module.exports = { jobRequest, validationErrors, TASKS };
