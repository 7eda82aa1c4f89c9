#!/usr/bin/env node
'use strict';
/**
 * Takes the README's screenshots of the n8n editor (not part of CI):
 *   docs/images/image-triage-workflow.png   the triage example on the canvas
 *   docs/images/node-parameters.png         the node's parameter panel in that workflow
 *   docs/images/image-triage-routed-workflow.png   the routed triage example (one output per class)
 *
 *   apt-get install -y chromium   # Debian's browser; playwright-core downloads none
 *   node scripts/screenshots.js [--out docs/images] [--keep]
 *
 * n8n is started by `npm start`'s machinery (scripts/start.js) in a scratch user folder with the
 * examples imported, an owner account is created through n8n's REST API, and headless Chromium
 * (driven by playwright-core) opens the workflow with that session's cookie. Everything it starts
 * is stopped at the end, also on failure.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--no-first-run',
];
const VIEWPORT = { width: 1280, height: 760 };
/** README images stay well under 1 MB each. */
const MAX_BYTES = 1024 * 1024;

function log(message) {
	process.stdout.write(`[screenshots] ${message}\n`);
}

async function main() {
	const args = process.argv.slice(2);
	const outIndex = args.indexOf('--out');
	const outDir = path.resolve(outIndex >= 0 ? args[outIndex + 1] : path.join(__dirname, '..', 'docs', 'images'));
	const keep = args.includes('--keep');
	if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium (or set CHROMIUM_PATH)`);
	const { chromium } = require('playwright-core');
	const { startN8n } = require('./start');
	const server = require('../test/e2e/n8nServer');

	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-zsic-screenshots-'));
	const port = await server.freePort();
	let n8n = null;
	let browser = null;
	try {
		log(`starting n8n (user folder ${userFolder})`);
		// The preset model, as a user sees the node (nothing is classified, so nothing is downloaded).
		const running = await startN8n({ port, userFolder, model: 'clip-vit-base-patch32', echo: false, onSpawn: (proc) => (n8n = proc) });
		const cookie = await server.ownerSession(running.url);

		browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
		const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, colorScheme: 'light' });
		await context.addCookies(
			cookie.split('; ').map((pair) => {
				const [name, ...value] = pair.split('=');
				return { name, value: value.join('='), domain: '127.0.0.1', path: '/' };
			}),
		);
		const page = await context.newPage();
		fs.mkdirSync(outDir, { recursive: true });

		log('opening the image triage workflow');
		await page.goto(`${running.url}/workflow/ZsicImageTriage1`, { waitUntil: 'networkidle' });
		await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 60_000 });
		await dismissPopups(page);
		// Fit the whole workflow into the view (the canvas's "zoom to fit" shortcut).
		await page.keyboard.press('1');
		await page.waitForTimeout(800);
		const canvasFile = path.join(outDir, 'image-triage-workflow.png');
		await page.screenshot({ path: canvasFile });
		log(`wrote ${canvasFile}`);

		log("opening the Classify node's parameters");
		await page.locator('[data-test-id="canvas-node"]', { hasText: 'Classify' }).first().dblclick();
		await page.waitForSelector('[data-test-id="ndv"], .ndv-wrapper, [data-test-id="node-parameters"]', { timeout: 30_000 });
		await page.waitForTimeout(800);
		await dismissPopups(page, { escape: false });
		const panelFile = path.join(outDir, 'node-parameters.png');
		await page.screenshot({ path: panelFile });
		log(`wrote ${panelFile}`);

		await page.keyboard.press('Escape').catch(() => undefined);
		log('opening the routed image triage workflow');
		await page.goto(`${running.url}/workflow/ZsicImageTriageRouted1`, { waitUntil: 'networkidle' });
		await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 60_000 });
		await dismissPopups(page);
		await page.keyboard.press('1');
		await page.waitForTimeout(800);
		const routedFile = path.join(outDir, 'image-triage-routed-workflow.png');
		await page.screenshot({ path: routedFile });
		log(`wrote ${routedFile}`);

		for (const file of [canvasFile, panelFile, routedFile]) {
			const size = fs.statSync(file).size;
			if (size > MAX_BYTES) throw new Error(`${file} is ${size} bytes, over ${MAX_BYTES}`);
			log(`${path.basename(file)}: ${(size / 1024).toFixed(0)} KB`);
		}
	} finally {
		if (browser) await browser.close();
		if (n8n) await n8n.stop();
		if (!keep) fs.rmSync(userFolder, { recursive: true, force: true });
	}
}

/** Closes what a fresh instance may show over the canvas (notices, tours, banners). */
async function dismissPopups(page, { escape = true } = {}) {
	for (const selector of ['[data-test-id="banner-close"]', '.el-notification__closeBtn', '.el-message-box__headerbtn', '[data-test-id="close-button"]']) {
		for (const element of await page.locator(selector).all()) {
			await element.click({ timeout: 1000 }).catch(() => undefined);
		}
	}
	// Escape closes tours and menus, but also the node panel: only on the canvas.
	if (escape) await page.keyboard.press('Escape').catch(() => undefined);
}

main().catch((error) => {
	process.stderr.write(`[screenshots] ${error && error.stack ? error.stack : error}\n`);
	process.exit(1);
});
