/**
 * The near-duplicates example (examples/image-near-duplicates.json) in real n8n with a real
 * PostgreSQL, as shipped: only the model (the tiny generated one), the inbox folder and the
 * PostgreSQL credential are filled in, by the helpers `npm start` uses (and the similarity
 * threshold, should the random-weight model's cosines ever stop straddling the shipped 0.95).
 *
 * Read Files from Disk → Embed Image → one row per file in PostgreSQL (`real[]`, no pgvector) →
 * a self-join computing cosines in SQL. Specified:
 *  - the table holds one row per image, whose embedding is the one the engine computes for that
 *    file (within 1e-5), of the model's dimension;
 *  - the near-duplicate query reports an image and its altered copy (resized and re-encoded), and
 *    no pair of unrelated images;
 *  - running the workflow again updates the stored rows (an upsert) and adds only a new image's.
 *
 * n8n keeps its own data in sqlite here; PostgreSQL is the workflow's database, reached through an
 * imported `postgres` credential.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import sharp from 'sharp';

import { TINY_CLIP_DIMS } from '../fixtures/generateTestModels';
import { explain, maxAbsDifference, NODE_TYPE, packageDescriptionWarnings, REPO_ROOT, SAME_ENGINE_TOLERANCE, writeImages, writeModels } from './clipE2eFixtures';
import type { RunResult, Workflow } from './n8nRunner';
import type { ManagedProcess } from './n8nServer';
import { describeWithPostgres, n8nPg, type PgClient } from './postgresE2e';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runner = require('./n8nRunner') as typeof import('./n8nRunner');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const server = require('./n8nServer') as typeof import('./n8nServer');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const examples = require('../../scripts/exampleWorkflows') as {
	loadExample(name: 'nearDuplicates'): Workflow;
	withModel<W>(workflow: W, model: string): W;
	withInbox<W>(workflow: W, inbox: string): W;
	withPostgresCredential<W>(workflow: W, credential: { id: string; name: string }): W;
	withSimilarityThreshold<W>(workflow: W, threshold: number): W;
	PACKAGE_NAME: string;
};

const layout = runner.getN8n();
const SHIPPED_THRESHOLD = 0.95;
const CREDENTIAL = { id: 'ZsicE2ePostgres1', name: 'Postgres (e2e)' };
const TABLE = 'image_embeddings';
const LEGACY_KEY_WARNING = /^Legacy aes-256-cbc encryption key not found; falling back to instance key$/;

const describeIfPostgres = describeWithPostgres('near-duplicates');


interface StoredRow {
	file: string;
	model: string;
	embedding: number[];
	updated_at: Date;
}

/**
 * The engine's embedding of each file, computed outside n8n with the built package. A child
 * process, like engineReference.js: onnxruntime-node's typed arrays come from Node's main realm,
 * which jest's per-file realm rejects.
 */
function referenceEmbeddings(model: string, files: string[]): number[][] {
	const script = `
		const fs = require('node:fs');
		const [engineFile, model, ...files] = process.argv.slice(1);
		const engine = require(engineFile);
		engine
			.withModel({ model, runtime: { intraOpThreads: 0, backend: 'native' } }, (m) => engine.embedImages(m, files.map((f) => fs.readFileSync(f))))
			.then(async (results) => {
				const failed = results.find((r) => r instanceof Error);
				if (failed) throw failed;
				process.stdout.write(JSON.stringify(results.map((r) => Array.from(r))));
				await engine.sharedModelRegistry.clear();
			})
			.catch((error) => { process.stderr.write(String(error && error.stack ? error.stack : error)); process.exit(1); });`;
	const result = spawnSync(process.execPath, ['-e', script, path.join(REPO_ROOT, 'dist', 'engine', 'index.js'), model, ...files], {
		encoding: 'utf8',
		maxBuffer: 64 * 1024 * 1024,
		env: { ...process.env, NODE_ENV: 'production' },
	});
	if (result.status !== 0) throw new Error(`engine reference embeddings failed (exit ${result.status}):\n${result.stderr}`);
	return JSON.parse(result.stdout) as number[][];
}

const dot = (a: number[], b: number[]): number => a.reduce((sum, x, i) => sum + x * b[i], 0);
/** A pair of files, in the query's order (a.file < b.file). */
const pairKey = (a: string, b: string): string => (a < b ? `${a} ~ ${b}` : `${b} ~ ${a}`);

describeIfPostgres(`the image near-duplicates example in real n8n ${layout.version} with PostgreSQL`, () => {
	let userFolder: string;
	let inbox: string;
	let model: string;
	let postgres: ManagedProcess & { port: number };
	let db: PgClient;
	let workflow: Workflow;
	let firstRun: RunResult;
	/** Every image in the inbox: file path → the engine's embedding. */
	const expected = new Map<string, number[]>();
	/** The pairs made of an image and its altered copy, and every other pair, with their cosines. */
	const copyPairs = new Map<string, number>();
	const unrelatedPairs = new Map<string, number>();
	let threshold: number;
	const report: string[] = [];

	const run = async (): Promise<RunResult> => {
		const result = await runner.runWorkflow(workflow, { packageDir: REPO_ROOT, userFolder, allowedPaths: [path.join(userFolder, 'files')] });
		report.push(`run: import ${result.importMs} ms, execute ${result.executeMs} ms`);
		if (!result.ok) throw new Error(explain(result));
		return result;
	};
	const storedRows = async (): Promise<StoredRow[]> => (await db.query<StoredRow>(`SELECT file, model, embedding, updated_at FROM ${TABLE} ORDER BY file`)).rows;

	beforeAll(async () => {
		({ userFolder } = runner.createUserFolder('n8n-e2e-near-duplicates-'));
		const files = path.join(userFolder, 'files');
		model = (await writeModels(path.join(files, 'models'))).hf;
		inbox = path.join(files, 'inbox');
		const originals = await writeImages(inbox, [
			{ name: 'stripes.png', kind: 'stripes', format: 'png' },
			{ name: 'checker.jpg', kind: 'checker', format: 'jpeg' },
			{ name: 'gradient.webp', kind: 'gradient', format: 'webp' },
			{ name: 'blobs.png', kind: 'blobs', format: 'png' },
			{ name: 'noise.jpg', kind: 'noise', format: 'jpeg' },
		]);
		// The altered copies a photo library collects: made 10% smaller and saved again as a
		// lower-quality JPEG (so neither the pixels nor the bytes are the original's).
		const copies = new Map<string, string>();
		for (const original of [originals[1], originals[3]]) {
			const copy = path.join(inbox, `${path.parse(original).name}-copy.jpg`);
			await sharp(original).resize(288, 216).jpeg({ quality: 60 }).toFile(copy);
			copies.set(copy, original);
		}
		const images = [...originals, ...copies.keys()];
		referenceEmbeddings(model, images).forEach((embedding, i) => expected.set(images[i], embedding));
		for (let i = 0; i < images.length; i++) {
			for (let j = i + 1; j < images.length; j++) {
				const [a, b] = [images[i], images[j]];
				const isCopy = copies.get(a) === b || copies.get(b) === a;
				(isCopy ? copyPairs : unrelatedPairs).set(pairKey(a, b), dot(expected.get(a) as number[], expected.get(b) as number[]));
			}
		}
		// The shipped 0.95 is meant for real CLIP models. The tiny random-weight one happens to
		// separate these images with it too, so the example runs as shipped; should a change of the
		// generated model move its cosines across 0.95, the middle of its gap stands in.
		const lowestCopy = Math.min(...copyPairs.values());
		const highestUnrelated = Math.max(...unrelatedPairs.values());
		const shippedSeparates = highestUnrelated < SHIPPED_THRESHOLD && SHIPPED_THRESHOLD <= lowestCopy;
		threshold = shippedSeparates ? SHIPPED_THRESHOLD : (lowestCopy + highestUnrelated) / 2;
		const cosines = (pairs: Map<string, number>): string => [...pairs].map(([key, cosine]) => `${key.replaceAll(`${inbox}/`, '')} ${cosine.toFixed(5)}`).join(', ');
		report.push(`cosines (engine) of the altered copies: ${cosines(copyPairs)}`);
		report.push(`highest cosine of unrelated images: ${highestUnrelated.toFixed(5)}; threshold used: ${threshold}${shippedSeparates ? ' (as shipped)' : ' (the shipped one does not separate this model)'}`);
		if (lowestCopy <= highestUnrelated) {
			throw new Error(`the test model does not separate copies (lowest ${lowestCopy}) from unrelated images (highest ${highestUnrelated}): change the images`);
		}

		postgres = await server.startPostgres({ logFile: path.join(userFolder, 'postgres.log') });
		// The workflow's credential, imported the way an admin provisions one: plain-text data,
		// which `n8n import:credentials` encrypts with this user folder's key.
		const credentialFile = path.join(userFolder, 'credentials.json');
		const data = { host: '127.0.0.1', port: postgres.port, database: 'postgres', user: 'postgres', password: '', ssl: 'disable', allowUnauthorizedCerts: false, sshTunnel: false };
		writeFileSync(credentialFile, JSON.stringify([{ ...CREDENTIAL, type: 'postgres', data }]));
		const env = runner.buildEnv({ layout, userFolder, brokerPort: await server.freePort() });
		await server.n8nCommand(layout, ['import:credentials', `--input=${credentialFile}`], { env, cwd: userFolder });

		workflow = examples.loadExample('nearDuplicates');
		workflow = examples.withPostgresCredential(examples.withInbox(examples.withModel(workflow, model), inbox), CREDENTIAL);
		if (threshold !== SHIPPED_THRESHOLD) workflow = examples.withSimilarityThreshold(workflow, threshold);

		const pg = n8nPg(layout.n8nDir);
		db = new pg.Client({ host: '127.0.0.1', port: postgres.port, user: 'postgres', database: 'postgres' });
		await db.connect();
		firstRun = await run();
	});

	afterAll(async () => {
		if (db) await db.end();
		if (postgres) await postgres.stop();
		if (userFolder) runner.removeUserFolder(userFolder);
		process.stderr.write(`\n[near-duplicates e2e, n8n ${layout.version}]\n  ${report.join('\n  ')}\n`);
	});

	const reportedPairs = (result: RunResult): Array<{ image: string; near_duplicate: string; cosine: number }> =>
		runner.getNodeOutput(result, 'Find near-duplicates').map((item) => item.json as { image: string; near_duplicate: string; cosine: number });

	test('the shipped example embeds with the published node, stores through one Postgres credential and keeps 0.95 for real models', () => {
		const shipped = examples.loadExample('nearDuplicates');
		const embed = shipped.nodes.find((node) => node.type === NODE_TYPE) as { parameters: Record<string, unknown> };
		expect(embed.parameters.operation).toBe('embedImage');
		const postgresNodes = shipped.nodes.filter((node) => node.type === 'n8n-nodes-base.postgres') as Array<{ credentials: Record<string, { id: string; name: string }> }>;
		expect(postgresNodes.length).toBeGreaterThan(0);
		expect(new Set(postgresNodes.map((node) => JSON.stringify(node.credentials)))).toEqual(new Set([JSON.stringify({ postgres: { id: 'ZsicPostgres0001', name: 'Postgres' } })]));
		const folders = shipped.nodes.find((node) => node.name === 'Folders') as { parameters: { assignments: { assignments: Array<{ name: string; value: unknown }> } } };
		expect(folders.parameters.assignments.assignments.find((a) => a.name === 'similarityThreshold')?.value).toBe(SHIPPED_THRESHOLD);
	});

	test('the workflow runs to success in n8n without warnings', () => {
		expect(firstRun.status).toBe('success');
		expect(packageDescriptionWarnings(firstRun)).toEqual([]);
		// n8n 2.x's own line when `n8n execute` decrypts a credential in a user folder `n8n start` never
		// ran in (no legacy key stored yet): it decrypts with the instance key, as the run shows.
		expect(runner.unexpectedWarnings(firstRun, [LEGACY_KEY_WARNING])).toEqual([]);
	});

	test('the table holds one row per image, with the embedding the engine computes for that file', async () => {
		const rows = await storedRows();
		expect(rows.map((row) => row.file)).toEqual([...expected.keys()].sort());
		for (const row of rows) {
			expect(row.model).toBe(model);
			expect(row.embedding).toHaveLength(TINY_CLIP_DIMS.embedDim);
			const difference = maxAbsDifference(row.embedding, expected.get(row.file) as number[]);
			expect({ file: row.file, close: difference < SAME_ENGINE_TOLERANCE }).toEqual({ file: row.file, close: true });
		}
	});

	test('the near-duplicate query reports every image with its altered copy, with their cosine', () => {
		const reported = new Map(reportedPairs(firstRun).map((pair) => [pairKey(pair.image, pair.near_duplicate), pair.cosine]));
		for (const [pair, cosine] of copyPairs) {
			expect({ pair, reported: reported.has(pair) }).toEqual({ pair, reported: true });
			// float4 storage, float8 sum: the cosine SQL computes is the engine's within float32 precision.
			expect(Math.abs((reported.get(pair) as number) - cosine)).toBeLessThan(SAME_ENGINE_TOLERANCE);
		}
	});

	test('the near-duplicate query reports no pair of unrelated images', () => {
		const reported = reportedPairs(firstRun).map((pair) => pairKey(pair.image, pair.near_duplicate));
		expect(reported.filter((pair) => unrelatedPairs.has(pair))).toEqual([]);
		expect(reported.sort()).toEqual([...copyPairs.keys()].sort());
	});

	test('running it again updates the stored rows and adds a row only for a new image', async () => {
		const before = await storedRows();
		// A new image arriving in the inbox between the runs gets its row; the others are updated.
		const added = path.join(inbox, 'stripes-again.png');
		copyFileSync(path.join(inbox, 'stripes.png'), added);
		const second = await run();
		const after = await storedRows();
		expect(after.map((row) => row.file)).toEqual([...before.map((row) => row.file), added].sort());
		const previous = new Map(before.map((row) => [row.file, row]));
		for (const row of after.filter((r) => r.file !== added)) {
			const earlier = previous.get(row.file) as StoredRow;
			expect(row.updated_at.getTime()).toBeGreaterThan(earlier.updated_at.getTime());
			expect(maxAbsDifference(row.embedding, earlier.embedding)).toBeLessThan(SAME_ENGINE_TOLERANCE);
		}
		// The byte-identical copy is the closest pair of all.
		expect(reportedPairs(second)[0]).toMatchObject({ image: path.join(inbox, 'stripes-again.png'), near_duplicate: path.join(inbox, 'stripes.png') });
	});
});
