'use strict';
/**
 * The feature-extraction API workflows as examples/ ships them, one per job store, and the writer
 * behind `npm run examples` (a specification checks the committed files equal what this builds).
 */
const fs = require('node:fs');
const path = require('node:path');
const { buildWorkflow } = require('./workflow');

const REPO_ROOT = path.resolve(__dirname, '..', '..');

const VARIANTS = [
	{ file: 'feature-extraction-api.json', id: 'ZsicFeatureApiDt', name: 'Feature extraction API (data table store)', store: require('./stores/dataTable') },
	{ file: 'feature-extraction-api-postgres.json', id: 'ZsicFeatureApiPg', name: 'Feature extraction API (PostgreSQL store, queue mode)', store: require('./stores/postgres') },
];

function presetIds() {
	return fs
		.readdirSync(path.join(REPO_ROOT, 'models'))
		.filter((file) => file.endsWith('.json'))
		.map((file) => JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'models', file), 'utf8')).id);
}

/** [file name, workflow JSON text] for every variant. */
function featureExtractionApiFiles() {
	const ids = presetIds();
	return VARIANTS.map(({ file, id, name, store }) => [file, `${JSON.stringify(buildWorkflow({ id, name, store, presetIds: ids }), null, 2)}\n`]);
}

if (require.main === module) {
	for (const [file, text] of featureExtractionApiFiles()) {
		fs.writeFileSync(path.join(REPO_ROOT, 'examples', file), text);
		console.log(`wrote examples/${file}`);
	}
}

module.exports = { featureExtractionApiFiles, VARIANTS };
