#!/usr/bin/env node
'use strict';
/**
 * The engine's own answer for a set of images, computed outside n8n with the BUILT package
 * (dist/engine), for the e2e tests to compare n8n's output with.
 *
 *   node test/e2e/engineReference.js < request.json > results.json
 *   request: { model: <folder>, template?, backend?: 'native'|'wasm', batchSize?, rounds?,
 *              requests: [{ file: <path> | dataUrl: <string>, classes: [...] }],
 *              imageEmbeddings?: [{ file | dataUrl }], textEmbeddings?: [<text>] }
 *   result:  { backend, results: [{ probabilities, classes, label, score } | { error }], roundMs: [...],
 *              imageEmbeddings?: [[...] | { error }], textEmbeddings?: [[...]] }
 *
 * A separate process, not a require() in the jest worker: onnxruntime-node's native binding makes
 * typed arrays of Node's main realm, which jest's per-file realm rejects (see test/jestEnvironment.js);
 * a plain Node process is also what the CLI and n8n itself are. `rounds` > 1 classifies the same
 * requests again (model loaded once) and reports each round's time: the wasm/native throughput
 * comparison uses it.
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const DIST_ENGINE = path.join(REPO_ROOT, 'dist', 'engine', 'index.js');

/**
 * Runs the reference in a child process (the machine's Node, like the CLI) and returns its result.
 * @param {{ model: string, template?: string, backend?: string, batchSize?: number, rounds?: number,
 *           requests: Array<{ file?: string, dataUrl?: string, classes: string[] }> }} input
 */
function engineReference(input) {
	if (!fs.existsSync(DIST_ENGINE)) throw new Error(`${DIST_ENGINE} is missing: run npm run build first (the e2e suite tests the built package)`);
	const result = spawnSync(process.execPath, [__filename], {
		input: JSON.stringify(input),
		encoding: 'utf8',
		maxBuffer: 64 * 1024 * 1024,
		timeout: 10 * 60_000,
		env: { ...process.env, NODE_ENV: 'production' },
	});
	if (result.status !== 0) throw new Error(`engine reference failed (exit ${result.status}):\n${result.stderr}`);
	return JSON.parse(result.stdout);
}

async function main() {
	const input = JSON.parse(fs.readFileSync(0, 'utf8'));
	const engine = require(DIST_ENGINE);
	const backend = input.backend || 'native';
	const requests = input.requests.map((r) => ({
		image: r.file ? fs.readFileSync(r.file) : engine.decodeDataUrl(r.dataUrl),
		classes: r.classes,
	}));
	const roundMs = [];
	let results = [];
	const embeddings = {};
	await engine.withModel({ model: input.model, runtime: { intraOpThreads: 0, backend } }, async (model) => {
		for (let round = 0; round < (input.rounds || 1); round += 1) {
			const started = process.hrtime.bigint();
			results = await engine.classifyImages(model, requests, { template: input.template, batchSize: input.batchSize });
			roundMs.push(Number(process.hrtime.bigint() - started) / 1e6);
		}
		if (input.imageEmbeddings) {
			const images = input.imageEmbeddings.map((r) => (r.file ? fs.readFileSync(r.file) : engine.decodeDataUrl(r.dataUrl)));
			embeddings.imageEmbeddings = (await engine.embedImages(model, images, { batchSize: input.batchSize })).map((e) => (e instanceof Error ? { error: e.message } : Array.from(e)));
		}
		if (input.textEmbeddings) embeddings.textEmbeddings = (await model.embedPrompts(input.textEmbeddings)).map((e) => Array.from(e));
	});
	const out = results.map((r) => (r instanceof Error ? { error: r.message } : { probabilities: r.probabilities, classes: r.classes, label: r.label, score: r.score }));
	process.stdout.write(JSON.stringify({ backend, results: out, roundMs, ...embeddings }));
	await engine.sharedModelRegistry.clear();
}

module.exports = { engineReference, REPO_ROOT, DIST_ENGINE };

if (require.main === module) {
	main().catch((error) => {
		process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
		process.exit(1);
	});
}
