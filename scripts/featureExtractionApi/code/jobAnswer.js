// Code node "Answer job" of the feature-extraction API workflow: what GET …/jobs/{job} answers
// for the job row the store found (or did not). Source: scripts/featureExtractionApi/code/jobAnswer.js.

/**
 * `row`: the store's row for the id (undefined when there is none); `task` and `batched`: the
 * route the client polls. A job of another task or the other (batched or not) route is not found
 * there, as the server kept jobs per task and route.
 */
function jobAnswer({ row, task, batched }) {
	if (!row || !row.job_id || row.task !== task || Boolean(row.batched) !== batched) return { statusCode: 404, response: { detail: 'Job not found' } };
	if (row.status === 'complete') return { statusCode: 200, response: { status: 'complete', result: JSON.parse(row.result) } };
	if (row.status === 'failed') return { statusCode: 200, response: { status: 'failed', error: row.error || 'the job failed' } };
	return { statusCode: 200, response: { status: row.status } };
}

module.exports = { jobAnswer };
