#!/usr/bin/env node
'use strict';
/**
 * `npm start`: n8n with this package loaded and the example workflows imported, in one command on
 * a fresh machine.
 *
 *   npm start [-- --port 5678] [--user-folder <dir>] [--model <preset id | model folder | owner/name>]
 *
 * 1. installs n8n exactly as the e2e suite does (test/e2e/n8nInstall.js: n8n 2.40.7 and Node 24
 *    into ~/.cache/n8n-nodes-zsic-e2e, ~4 minutes once, nothing afterwards);
 * 2. installs this package's dependencies and builds it if dist/ is missing;
 * 3. imports examples/*.json into the n8n user folder (once, and again when they change) and
 *    activates the HTTP API example;
 * 4. starts `n8n start` with N8N_CUSTOM_EXTENSIONS = this repository, on 127.0.0.1 only, prints
 *    the URL, and stops n8n on Ctrl-C (or SIGTERM).
 *
 * The user folder (default ~/.n8n-zero-shot-image-classification, or ZSIC_START_USER_FOLDER)
 * keeps n8n's database, the owner account and the downloaded models between runs; its `files/`
 * folder is the only place the Read/Write Files from Disk nodes may use.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const https = require('node:https');
const { spawnSync } = require('node:child_process');

const examples = require('./exampleWorkflows');

const REPO_ROOT = examples.REPO_ROOT;
const DEFAULT_PORT = 5678;
const DEFAULT_MODEL = 'clip-vit-base-patch32';
const DEFAULT_USER_FOLDER = path.join(os.homedir(), '.n8n-zero-shot-image-classification');
const featureApiWorkflow = require('./featureExtractionApi/workflow');
/** Every route of the feature-extraction API example sits under <n8n>/webhook/<this>. */
const FEATURE_API_PREFIX = featureApiWorkflow.PREFIX;

function say(message = '') {
	process.stdout.write(`${message}\n`);
}

function usage(error) {
	if (error) process.stderr.write(`npm start: ${error}\n\n`);
	process.stderr.write('usage: npm start [-- --port <port>] [--user-folder <dir>] [--model <preset id | model folder | owner/name>]\n');
	process.exit(error ? 2 : 0);
}

function parseArgs(argv) {
	const options = {
		port: Number(process.env.ZSIC_START_PORT) || DEFAULT_PORT,
		userFolder: process.env.ZSIC_START_USER_FOLDER || DEFAULT_USER_FOLDER,
		model: process.env.ZSIC_START_MODEL || DEFAULT_MODEL,
	};
	for (let i = 0; i < argv.length; i += 1) {
		const [flag, inline] = argv[i].split(/=(.*)/s, 2);
		const value = () => (inline !== undefined ? inline : argv[++i]);
		if (flag === '--port') options.port = Number(value());
		else if (flag === '--user-folder') options.userFolder = value();
		else if (flag === '--model') options.model = value();
		else if (flag === '--help' || flag === '-h') usage();
		else usage(`unknown argument ${argv[i]}`);
	}
	if (!Number.isInteger(options.port) || options.port <= 0 || options.port > 65535) usage('--port needs a TCP port number');
	if (!options.model) usage('--model needs a value');
	options.userFolder = path.resolve(options.userFolder.replace(/^~(?=$|\/)/, os.homedir()));
	// A local folder is passed to the node as an absolute path (n8n's working directory is the user folder).
	if (/^[.~/]/.test(options.model)) options.model = path.resolve(options.model.replace(/^~(?=$|\/)/, os.homedir()));
	return options;
}

/** Runs a command with its output on the terminal; exits with its message when it fails. */
function runOrExit(command, args, what) {
	say(`» ${what}: ${command} ${args.join(' ')}`);
	const result = spawnSync(command, args, { cwd: REPO_ROOT, stdio: 'inherit' });
	if (result.status !== 0) {
		process.stderr.write(`npm start: ${what} failed (exit ${result.status}${result.error ? `, ${result.error.message}` : ''})\n`);
		process.exit(1);
	}
}

/** Dependencies and dist/ on a fresh clone (`npm ci`, `npm run build`); nothing when present. */
function ensureBuilt() {
	if (!fs.existsSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsc'))) runOrExit('npm', ['ci', '--no-audit', '--no-fund'], 'installing dependencies');
	const nodeFile = path.join(REPO_ROOT, 'dist', 'nodes', 'ZeroShotImageClassification', 'ZeroShotImageClassification.node.js');
	if (!fs.existsSync(nodeFile)) runOrExit('npm', ['run', 'build'], 'building the package (dist/ is missing)');
}

/** Whether the Hugging Face Hub answers (within a few seconds): decides what to say about models. */
function hubReachable(endpoint = process.env.HF_ENDPOINT || 'https://huggingface.co') {
	return new Promise((resolve) => {
		let url;
		try {
			url = new URL('/api/models/Xenova/clip-vit-base-patch32', endpoint);
		} catch {
			resolve(false);
			return;
		}
		const client = url.protocol === 'http:' ? require('node:http') : https;
		const req = client.request(url, { method: 'HEAD', timeout: 5000 }, (res) => {
			res.resume();
			resolve(res.statusCode !== undefined && res.statusCode < 500);
		});
		req.on('timeout', () => req.destroy());
		req.on('error', () => resolve(false));
		req.end();
	});
}

/** Where the node keeps downloaded models for this n8n (its default: <user folder>/.n8n/models). */
function modelsCacheDir(userFolder) {
	return process.env.N8N_ZSIC_MODELS_DIR || path.join(userFolder, '.n8n', 'models');
}

function isPresetCached(userFolder, preset) {
	const dir = modelsCacheDir(userFolder);
	if (!fs.existsSync(dir)) return false;
	// The cache keeps each repo under its own folder with a completion marker; any file naming the
	// preset's repo is a good enough hint for a message (the node itself verifies the files).
	const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'models', `${preset}.json`), 'utf8'));
	const repoName = manifest.source.repo.replace('/', '--');
	return fs.readdirSync(dir, { recursive: true }).some((entry) => String(entry).includes(repoName));
}

/**
 * Imports the examples when this user folder has not got them yet, or when the files changed since
 * (the hash of what was imported is kept beside the database): a restart keeps the user's edits.
 */
async function importExamples({ layout, env, userFolder, model, filesDir }) {
	const server = require('../test/e2e/n8nServer');
	const folders = { inbox: path.join(filesDir, 'inbox'), sorted: path.join(filesDir, 'sorted') };
	const { rewriteNodeTypes, CUSTOM_PACKAGE_NAME } = require('../test/e2e/n8nRunner');
	// Loaded through N8N_CUSTOM_EXTENSIONS, the node's type is CUSTOM.<name>, not the published name.
	const prepare = (workflow) => rewriteNodeTypes(examples.withModel(workflow, model), examples.PACKAGE_NAME, CUSTOM_PACKAGE_NAME);
	const triage = examples.withTriageFolders(prepare(examples.loadExample('triage')), folders);
	const triageRouted = examples.withTriageFolders(prepare(examples.loadExample('triageRouted')), folders);
	const httpApi = prepare(examples.loadExample('httpApi'));
	// Imported with its placeholder PostgreSQL credential: n8n does not check credentials on import,
	// and the user picks their own database in the editor (no database is needed to start).
	const nearDuplicates = examples.withInbox(prepare(examples.loadExample('nearDuplicates')), folders.inbox);
	// Reads what nearDuplicates stores: same placeholder credential, same model.
	const retriageStored = prepare(examples.loadExample('retriageStored'));
	// The replaced server's API with its Data Table job store (n8n's own database: nothing to set
	// up). It runs the model each URL names, not `model`; but a model that is not a preset (a folder,
	// a Hub repo) serves the server's two model names, so its clients also work offline.
	const rename = (workflow) => rewriteNodeTypes(workflow, examples.PACKAGE_NAME, CUSTOM_PACKAGE_NAME);
	const shippedApi = examples.loadExample('featureExtractionApi');
	const featureApi = rename(
		examples.presetIds().includes(model)
			? shippedApi
			: examples.withApiSettings(shippedApi, { models: { ...featureApiWorkflow.modelMap(examples.presetIds()), 'clip-vit-large-patch14': model, 'open-clip-vit-b32': model } }),
	);
	examples.prepareTriageFolders(triage, folders);
	const workflows = [triage, triageRouted, httpApi, nearDuplicates, retriageStored, featureApi];
	const hash = crypto.createHash('sha256').update(JSON.stringify(workflows)).digest('hex');
	const marker = path.join(userFolder, 'examples-imported.json');
	const previous = fs.existsSync(marker) ? JSON.parse(fs.readFileSync(marker, 'utf8')).hash : null;
	if (previous === hash) return { imported: false, folders };
	say(previous ? '» the examples changed: importing them again (your edits to them are replaced)' : '» importing the example workflows');
	await server.importAndActivate(layout, workflows, { env, cwd: userFolder, activate: [httpApi.id, featureApi.id] });
	fs.writeFileSync(marker, JSON.stringify({ hash, importedAt: new Date().toISOString() }, null, 2));
	return { imported: true, folders };
}

/**
 * Everything up to a running n8n; used by `npm start` and scripts/screenshots.js.
 * @param {{ port: number, userFolder: string, model: string, echo?: boolean, onSpawn?: (proc: object) => void }} options
 *        echo: n8n's output on this terminal too; onSpawn: receives the n8n process as soon as it exists
 * @returns {Promise<{ server: import('../test/e2e/n8nServer').N8nServer, url: string, layout: object, env: object, folders: { inbox: string, sorted: string }, stop: () => Promise<void> }>}
 */
async function startN8n({ port, userFolder, model, echo = true, onSpawn }) {
	const { install } = require('../test/e2e/n8nInstall');
	const server = require('../test/e2e/n8nServer');
	say(`» n8n: installing it into the cache folder unless it is there already (~4 minutes the first time)`);
	const layout = install();
	ensureBuilt();

	const filesDir = path.join(userFolder, 'files');
	fs.mkdirSync(filesDir, { recursive: true });
	const passThrough = Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith('N8N_ZSIC_')));
	const env = await server.serverEnv({
		layout,
		userFolder,
		port,
		customExtensions: [REPO_ROOT],
		// A model folder given with --model is read under n8n's file-access rules too: allow it.
		allowedPaths: [filesDir, ...(path.isAbsolute(model) ? [model] : [])],
		logLevel: 'info',
		env: {
			...passThrough,
			// Readable logs on the terminal instead of the suite's JSON lines.
			N8N_LOG_FORMAT: 'text',
		},
	});
	// The suite lets workflows read $env; a demo instance keeps n8n's default.
	delete env.N8N_BLOCK_ENV_ACCESS_IN_NODE;

	const { folders } = await importExamples({ layout, env, userFolder, model, filesDir });
	say(`» starting n8n ${layout.version} on http://127.0.0.1:${port} (log: ${path.join(userFolder, 'n8n.log')})`);
	const main = await server.startMain({ layout, env, cwd: userFolder, logFile: path.join(userFolder, 'n8n.log'), inherit: echo, onSpawn });
	// The HTTP API example's webhook is registered in the background after start-up (n8n 2.x).
	await server.waitForWebhook(`${main.url}/webhook/zero-shot-image-classification`, { proc: main });
	await server.waitForWebhook(`${main.url}/webhook/${FEATURE_API_PREFIX}/api/tasks`, { proc: main, method: 'GET' });
	return { server: main, url: main.url, featureApiUrl: `${main.url}/webhook/${FEATURE_API_PREFIX}`, layout, env, folders, stop: () => main.stop() };
}

async function main() {
	const options = parseArgs(process.argv.slice(2));
	fs.mkdirSync(options.userFolder, { recursive: true });

	// The n8n process, from the moment it is spawned: Ctrl-C during its start-up must stop it too
	// (it runs in its own process group, so the terminal's SIGINT does not reach it).
	let n8n = null;
	let stopping = false;
	const stop = async (signal) => {
		if (stopping) {
			// A second Ctrl-C: do not wait for n8n's graceful shutdown.
			if (n8n) await n8n.stop(0);
			process.exit(130);
		}
		stopping = true;
		say(`\n» ${signal}: stopping n8n… (Ctrl-C again to force)`);
		if (n8n) await n8n.stop();
		say('» n8n stopped');
		process.exit(0);
	};
	process.on('SIGINT', () => void stop('SIGINT'));
	process.on('SIGTERM', () => void stop('SIGTERM'));

	const net = require('node:net');
	const portFree = await new Promise((resolve) => {
		const probe = net.createServer().once('error', () => resolve(false));
		probe.listen(options.port, '127.0.0.1', () => probe.close(() => resolve(true)));
	});
	if (!portFree) usage(`port ${options.port} is in use (another n8n?); choose one with --port`);

	const running = await startN8n({ ...options, onSpawn: (proc) => (n8n = proc) });
	const { url, folders, featureApiUrl } = running;
	const preset = examples.presetIds().includes(options.model) ? options.model : null;
	const online = preset ? await hubReachable() : true;
	const cached = preset ? isPresetCached(options.userFolder, preset) : true;

	say('');
	say('══════════════════════════════════════════════════════════════════════════════');
	say(` n8n is running with n8n-nodes-zero-shot-image-classification: ${url}`);
	say('══════════════════════════════════════════════════════════════════════════════');
	say(` First visit: create the owner account (it stays in ${options.userFolder}).`);
	say(' Examples (Overview → Workflows):');
	say(`  • "Image triage": put images into ${folders.inbox}, run it,`);
	say(`    find them in ${folders.sorted}/<label>/`);
	say('  • "Image triage, routed by class": the same, the Classify node routing by class itself');
	say(`  • "Image near-duplicates": embeds the images in ${folders.inbox} into PostgreSQL and lists`);
	say('    the near-duplicate pairs; needs a PostgreSQL credential (named "Postgres") first');
	say('  • "HTTP API" (active):');
	say(`    printf '{"image": "data:image/jpeg;base64,%s", "classes": ["cat", "dog"]}' "$(base64 -w0 photo.jpg)" |`);
	say(`      curl -s ${url}/webhook/zero-shot-image-classification -H 'content-type: application/json' --data-binary @-`);
	say('  • "Feature extraction API" (active): the replaced Python server\'s job API; its clients');
	say(`    change only their base URL, to ${featureApiUrl}`);
	say(`      curl -s ${featureApiUrl}/api/models`);
	say(`    (docs/http-api.md: routes, a curl session, the job store)`);
	if (!preset) {
		say(` Model: ${options.model}`);
	} else if (cached) {
		say(` Model: preset ${preset}, already in the models cache (${modelsCacheDir(options.userFolder)}).`);
	} else if (online) {
		say(` Model: preset ${preset}; the first classification downloads it (~600 MB) into`);
		say(`   ${modelsCacheDir(options.userFolder)} — later runs start from there.`);
	} else {
		say(' Model: OFFLINE — the Hugging Face Hub is not reachable, so the preset cannot be downloaded.');
		say('   Point the node at a model folder on this machine instead (any CLIP ONNX export in the');
		say('   Hugging Face onnx/ or Immich visual/+textual/ layout):');
		say('     npm start -- --model /path/to/clip-model-folder');
		say('   or, in the Classify node: Model → "Local Folder or Hugging Face Repo" → the folder path.');
		say('   To get one, on a machine with internet (it prints the model folder; copy that here):');
		say(`     node dist/cli/clip-classify.js download ${preset} --cache-dir ./models`);
		say(`   A cache made that way can also be copied to ${modelsCacheDir(options.userFolder)}: the preset then works offline.`);
	}
	say(' Stop: Ctrl-C');
	say('');

	const exit = await running.server.exit;
	if (!stopping) {
		process.stderr.write(`npm start: n8n exited (${JSON.stringify(exit)}); see ${path.join(options.userFolder, 'n8n.log')}\n`);
		process.exit(1);
	}
}

module.exports = { startN8n, parseArgs, DEFAULT_USER_FOLDER };

if (require.main === module) {
	main().catch((error) => {
		process.stderr.write(`npm start: ${error && error.stack ? error.stack : error}\n`);
		process.exit(1);
	});
}
