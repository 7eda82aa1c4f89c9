// Code node "List tasks and models" of the feature-extraction API workflow: the listing routes.
// Every model serves every task (CLIP and SigLIP models embed images and texts, and classify).
// Source: scripts/featureExtractionApi/code/listing.js.

const TASK_NAMES = ['zero-shot-image-classification', 'image-embedding', 'text-embedding'];

/** `path`: the segments after api/ (e.g. ['tasks'] or ['models', 'clip-vit-large-patch14', 'tasks']). */
function listing({ path, models }) {
	const names = Object.keys(models);
	const [kind, name, of] = path;
	if (path.length === 1 && kind === 'tasks') return { statusCode: 200, response: TASK_NAMES };
	if (path.length === 1 && kind === 'models') return { statusCode: 200, response: names };
	if (path.length === 3 && kind === 'tasks' && of === 'models') return { statusCode: 200, response: TASK_NAMES.includes(name) ? names : [] };
	if (path.length === 3 && kind === 'models' && of === 'tasks') return { statusCode: 200, response: names.includes(name) ? TASK_NAMES : [] };
	return { statusCode: 404, response: { detail: 'Not Found' } };
}

module.exports = { listing, TASK_NAMES };
