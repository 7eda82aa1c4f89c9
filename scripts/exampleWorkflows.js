'use strict';
/**
 * The example workflows (examples/*.json) as `npm start`, the screenshot script and the e2e suite
 * import them: the same files, with only what differs per machine filled in — which model the
 * Classify (or Embed) node uses, the examples' folders, and the near-duplicates example's
 * PostgreSQL credential and similarity threshold. Keeping this in one place means the files
 * users import and the files the suite runs cannot drift apart.
 */
const fs = require('node:fs');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..');
const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');
const PACKAGE_NAME = 'n8n-nodes-zero-shot-image-classification';
const NODE_TYPE = `${PACKAGE_NAME}.zeroShotImageClassification`;

/** The node under either of its names: published, or CUSTOM.<name> when loaded from N8N_CUSTOM_EXTENSIONS. */
const isClassifyNode = (node) => node.type === NODE_TYPE || node.type.endsWith('.zeroShotImageClassification');

const EXAMPLES = {
	triage: 'image-triage.json',
	triageRouted: 'image-triage-routed.json',
	httpApi: 'http-api.json',
	nearDuplicates: 'image-near-duplicates.json',
	retriageStored: 'image-retriage-stored-embeddings.json',
	featureExtractionApi: 'feature-extraction-api.json',
	featureExtractionApiPostgres: 'feature-extraction-api-postgres.json',
};

/** @param {keyof typeof EXAMPLES} name */
function loadExample(name) {
	return JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, EXAMPLES[name]), 'utf8'));
}

function presetIds() {
	return fs
		.readdirSync(path.join(REPO_ROOT, 'models'))
		.filter((file) => file.endsWith('.json'))
		.map((file) => JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'models', file), 'utf8')).id);
}

/** A copy of the workflow with its nodes mapped by `fn` (which may return a changed copy). */
function mapNodes(workflow, fn) {
	return { ...workflow, nodes: workflow.nodes.map((node) => fn(JSON.parse(JSON.stringify(node)))) };
}

/**
 * Points every Classify node at `modelRef`: a preset id (the dropdown), or anything else — a
 * local folder or a Hub repo `owner/name` — through "Local Folder or Hugging Face Repo".
 */
function withModel(workflow, modelRef) {
	if (!modelRef) return workflow;
	const preset = presetIds().includes(modelRef);
	return mapNodes(workflow, (node) => {
		if (!isClassifyNode(node)) return node;
		node.parameters.model = preset ? modelRef : 'custom';
		if (preset) delete node.parameters.customModel;
		else node.parameters.customModel = modelRef;
		return node;
	});
}

/** The workflow with the Classify node's Options merged with `options` (e.g. a threshold tuned to another model). */
function withClassifyOptions(workflow, options) {
	return mapNodes(workflow, (node) => {
		if (!isClassifyNode(node)) return node;
		node.parameters.options = { ...(node.parameters.options || {}), ...options };
		return node;
	});
}

/**
 * The workflow with the named values of its "Folders" node (a Set node's assignments) replaced:
 * the examples keep their per-machine values (folders, thresholds) there. A name the node does not
 * assign is an error, not silently ignored.
 */
function withFolderValues(workflow, values) {
	return mapNodes(workflow, (node) => {
		if (node.name !== 'Folders') return node;
		const assignments = node.parameters.assignments.assignments;
		for (const [name, value] of Object.entries(values)) {
			const assignment = assignments.find((a) => a.name === name);
			if (!assignment) throw new Error(`the "Folders" node of "${workflow.name}" assigns no ${name}`);
			assignment.value = value;
		}
		return node;
	});
}

/**
 * The feature-extraction API workflow with its "Settings" node changed: `models` (URL model name →
 * preset id, model folder or Hub repo) replaced, other named settings (e.g. `retentionMinutes`,
 * `apiUrl`) set. A name the node does not assign is an error.
 */
function withApiSettings(workflow, { models, ...values }) {
	return mapNodes(workflow, (node) => {
		if (node.name !== 'Settings') return node;
		const assignments = node.parameters.assignments.assignments;
		for (const [name, value] of Object.entries({ ...(models ? { models: JSON.stringify(models, null, 2) } : {}), ...values })) {
			const assignment = assignments.find((a) => a.name === name);
			if (!assignment) throw new Error(`the "Settings" node of "${workflow.name}" assigns no ${name}`);
			assignment.value = value;
		}
		return node;
	});
}

/** The triage example with its "Folders" node set to `inbox` and `sorted`. */
function withTriageFolders(workflow, { inbox, sorted }) {
	return withFolderValues(workflow, { inbox, sorted });
}

/** An example with its "Folders" node's `inbox` set to `inbox` (the near-duplicates example has no `sorted`). */
function withInbox(workflow, inbox) {
	return withFolderValues(workflow, { inbox });
}

/**
 * The workflow with every Postgres node using the credential `{ id, name }`: the shipped example
 * names a placeholder, which n8n imports as it is (the user picks a real one in the editor), but an
 * execution needs one that exists.
 */
function withPostgresCredential(workflow, { id, name }) {
	return mapNodes(workflow, (node) => {
		if (node.type !== 'n8n-nodes-base.postgres') return node;
		node.credentials = { ...(node.credentials || {}), postgres: { id, name } };
		return node;
	});
}

/** The near-duplicates example's similarity threshold (its "Folders" node), e.g. one tuned to another model. */
function withSimilarityThreshold(workflow, threshold) {
	return withFolderValues(workflow, { similarityThreshold: threshold });
}

/**
 * A triage example's labels: the class list of its Classify node, which its Switch (or, routed,
 * the Classify node itself) sends to one output each, plus `other` (the fallback output). Each needs a folder under `sorted`
 * (Write Files to Disk does not create folders).
 */
function triageLabels(workflow) {
	const classify = workflow.nodes.find(isClassifyNode);
	const classes = String(classify.parameters.classes)
		.split(',')
		.map((c) => c.trim())
		.filter(Boolean);
	return { classes, folders: [...classes, 'other'] };
}

/** Creates `inbox` and one folder per label under `sorted`. */
function prepareTriageFolders(workflow, { inbox, sorted }) {
	fs.mkdirSync(inbox, { recursive: true });
	for (const label of triageLabels(workflow).folders) fs.mkdirSync(path.join(sorted, label), { recursive: true });
}

module.exports = {
	REPO_ROOT,
	EXAMPLES_DIR,
	EXAMPLES,
	PACKAGE_NAME,
	NODE_TYPE,
	loadExample,
	presetIds,
	withModel,
	withClassifyOptions,
	withTriageFolders,
	withInbox,
	withPostgresCredential,
	withApiSettings,
	withSimilarityThreshold,
	triageLabels,
	prepareTriageFolders,
};
