// Code node "Job outcome" of the feature-extraction API workflow: the result object a job answers
// (in the replaced server's shape), or why it failed, from what the Zero-Shot Image Classification
// node put on the item. Source: scripts/featureExtractionApi/code/jobOutcome.js.

/** One image's classification as the server answered it; the threshold fields only when asked for. */
function classification(probabilities, labels, matched) {
	const out = { probabilities };
	if (labels !== undefined) {
		out.labels = labels;
		out.matched = matched;
	}
	return out;
}

/** `job`: the job as the request made it; `output`: the node's item JSON (`error` when it failed). */
function jobOutcome({ job, output }) {
	if (output.error !== undefined) {
		const message = typeof output.error === 'string' ? output.error : output.error.message || JSON.stringify(output.error);
		// The node names the item ("Item 0: "); a job is one item, so only the cause (and, in a batch, the image) remains.
		return { job, status: 'failed', error: message.replace(/^Item \d+: /, '') };
	}
	let result;
	if (job.task === 'zero-shot-image-classification') {
		result = job.batched
			? output.probabilities.map((p, i) => classification(p, output.labels && output.labels[i], output.matched && output.matched[i]))
			: classification(output.probabilities, output.labels, output.matched);
	} else {
		result = job.batched ? output.embedding.map((embedding) => ({ embedding })) : { embedding: output.embedding };
	}
	return { job, status: 'complete', result };
}

module.exports = { jobOutcome };
