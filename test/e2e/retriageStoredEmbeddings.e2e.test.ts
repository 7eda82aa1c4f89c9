/**
 * The re-triage example (examples/image-retriage-stored-embeddings.json) in real n8n with a real
 * PostgreSQL, as shipped: only the model (the tiny generated one) and the PostgreSQL credential are
 * filled in, by the helpers `npm start` uses. The table it reads is filled the way users fill it,
 * by running the near-duplicates example (Read Files → Embed Image → `real[]` rows); then the
 * images are deleted, and the re-triage must classify the stored embeddings without them.
 * Specified:
 *  - it runs to success, with every file's classification equal to the one the engine gives for
 *    the image file itself (|Δp| ≤ 1e-6: float4 storage loses nothing of a float32 embedding);
 *  - the labels table holds one row per file with that label and score; a re-run with other
 *    classes replaces them (an upsert).
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { explain, NODE_TYPE, packageDescriptionWarnings, referenceClassifications, REPO_ROOT, writeImages, writeModels, type Classification } from './clipE2eFixtures';
import type { RunResult, Workflow } from './n8nRunner';
import type { ManagedProcess } from './n8nServer';
import { describeWithPostgres, n8nPg, type PgClient } from './postgresE2e';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runner = require('./n8nRunner') as typeof import('./n8nRunner');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const server = require('./n8nServer') as typeof import('./n8nServer');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const examples = require('../../scripts/exampleWorkflows') as {
	loadExample(name: 'nearDuplicates' | 'retriageStored'): Workflow;
	withModel<W>(workflow: W, model: string): W;
	withInbox<W>(workflow: W, inbox: string): W;
	withPostgresCredential<W>(workflow: W, credential: { id: string; name: string }): W;
};

const layout = runner.getN8n();
const CREDENTIAL = { id: 'ZsicE2ePostgres2', name: 'Postgres (e2e)' };
const CLASSIFY = 'Re-triage';
const LEGACY_KEY_WARNING = /^Legacy aes-256-cbc encryption key not found; falling back to instance key$/;
/** The issue's bound: stored embeddings give the probabilities of the images themselves. */
const SAME_PROBABILITIES = 1e-6;
const OTHER_CLASSES = ['indoor scene', 'outdoor scene', 'drawing'];

const describeIfPostgres = describeWithPostgres('re-triage');


interface LabelRow {
	file: string;
	label: string;
	score: number;
	classes: string[];
}

interface TriageJson {
	file: string;
	triage: { probabilities: number[]; classes: string[]; label: string; score: number };
}

/** The Classify node's classes in a copy of the workflow. */
function withClasses(workflow: Workflow, classes: string[]): Workflow {
	return {
		...workflow,
		nodes: workflow.nodes.map((node) => (node.name === CLASSIFY ? { ...node, parameters: { ...(node.parameters as Record<string, unknown>), classes: classes.join(', ') } } : node)),
	};
}

const shippedClasses = (workflow: Workflow): string[] =>
	String((workflow.nodes.find((node) => node.name === CLASSIFY) as { parameters: { classes: string } }).parameters.classes)
		.split(',')
		.map((c) => c.trim());

describeIfPostgres(`the re-triage of stored embeddings example in real n8n ${layout.version} with PostgreSQL`, () => {
	let userFolder: string;
	let model: string;
	let images: string[];
	let postgres: ManagedProcess & { port: number };
	let db: PgClient;
	let retriage: Workflow;
	let classes: string[];
	let firstRun: RunResult;
	const report: string[] = [];

	const run = async (workflow: Workflow, what: string): Promise<RunResult> => {
		const result = await runner.runWorkflow(workflow, { packageDir: REPO_ROOT, userFolder, allowedPaths: [path.join(userFolder, 'files')] });
		report.push(`${what}: import ${result.importMs} ms, execute ${result.executeMs} ms`);
		if (!result.ok) throw new Error(explain(result));
		return result;
	};
	const reference = (files: string[], names: string[]): Map<string, Classification> => {
		const results = referenceClassifications({ model, requests: files.map((file) => ({ file, classes: names })) });
		return new Map(results.map((result, i) => [files[i], result]));
	};
	const triaged = (result: RunResult): TriageJson[] => runner.getNodeOutput(result, CLASSIFY).map((item) => item.json as unknown as TriageJson);
	const labelRows = async (): Promise<LabelRow[]> => (await db.query<LabelRow>('SELECT file, label, score, classes FROM image_labels ORDER BY file')).rows;

	let expected: Map<string, Classification>;
	let expectedOthers: Map<string, Classification>;

	beforeAll(async () => {
		({ userFolder } = runner.createUserFolder('n8n-e2e-retriage-'));
		const files = path.join(userFolder, 'files');
		model = (await writeModels(path.join(files, 'models'))).hf;
		const inbox = path.join(files, 'inbox');
		images = await writeImages(inbox, [
			{ name: 'stripes.png', kind: 'stripes', format: 'png' },
			{ name: 'checker.jpg', kind: 'checker', format: 'jpeg' },
			{ name: 'gradient.webp', kind: 'gradient', format: 'webp' },
			{ name: 'blobs.png', kind: 'blobs', format: 'png' },
			{ name: 'noise.jpg', kind: 'noise', format: 'jpeg' },
		]);

		postgres = await server.startPostgres({ logFile: path.join(userFolder, 'postgres.log') });
		const credentialFile = path.join(userFolder, 'credentials.json');
		const data = { host: '127.0.0.1', port: postgres.port, database: 'postgres', user: 'postgres', password: '', ssl: 'disable', allowUnauthorizedCerts: false, sshTunnel: false };
		writeFileSync(credentialFile, JSON.stringify([{ ...CREDENTIAL, type: 'postgres', data }]));
		const env = runner.buildEnv({ layout, userFolder, brokerPort: await server.freePort() });
		await server.n8nCommand(layout, ['import:credentials', `--input=${credentialFile}`], { env, cwd: userFolder });
		const pg = n8nPg(layout.n8nDir);
		db = new pg.Client({ host: '127.0.0.1', port: postgres.port, user: 'postgres', database: 'postgres' });
		await db.connect();

		// The table as the near-duplicates example leaves it.
		const store = examples.withPostgresCredential(examples.withInbox(examples.withModel(examples.loadExample('nearDuplicates'), model), inbox), CREDENTIAL);
		await run(store, 'near-duplicates (stores the embeddings)');
		const stored = await db.query<{ count: string }>('SELECT count(*) FROM image_embeddings');
		expect(Number(stored.rows[0].count)).toBe(images.length);

		retriage = examples.withPostgresCredential(examples.withModel(examples.loadExample('retriageStored'), model), CREDENTIAL);
		classes = shippedClasses(retriage);
		expected = reference(images, classes);
		expectedOthers = reference(images, OTHER_CLASSES);
		// Nothing left to decode: the re-triage has the table only.
		rmSync(inbox, { recursive: true, force: true });
		firstRun = await run(retriage, 're-triage');
	});

	afterAll(async () => {
		if (db) await db.end();
		if (postgres) await postgres.stop();
		if (userFolder) runner.removeUserFolder(userFolder);
		process.stderr.write(`\n[re-triage e2e, n8n ${layout.version}]\n  ${report.join('\n  ')}\n`);
	});

	test('the shipped example classifies stored embeddings with the published node, reading no file', () => {
		const shipped = examples.loadExample('retriageStored');
		const classify = shipped.nodes.find((node) => node.type === NODE_TYPE) as { parameters: Record<string, unknown> };
		expect(classify.parameters).toMatchObject({ operation: 'classify', imageSource: 'embedding', embeddingField: 'embedding' });
		expect(shipped.nodes.map((node) => node.type)).not.toContain('n8n-nodes-base.readWriteFile');
		const postgresNodes = shipped.nodes.filter((node) => node.type === 'n8n-nodes-base.postgres') as Array<{ credentials: Record<string, { id: string; name: string }> }>;
		expect(new Set(postgresNodes.map((node) => JSON.stringify(node.credentials)))).toEqual(new Set([JSON.stringify({ postgres: { id: 'ZsicPostgres0001', name: 'Postgres' } })]));
		// The same model preset as the near-duplicates example, whose table it reads.
		const embed = examples.loadExample('nearDuplicates').nodes.find((node) => node.type === NODE_TYPE) as { parameters: Record<string, unknown> };
		expect(classify.parameters.model).toBe(embed.parameters.model);
	});

	test('the workflow runs to success in n8n without warnings, with the images gone', () => {
		expect(firstRun.status).toBe('success');
		expect(packageDescriptionWarnings(firstRun)).toEqual([]);
		expect(runner.unexpectedWarnings(firstRun, [LEGACY_KEY_WARNING])).toEqual([]);
	});

	test('every stored embedding gets the probabilities of classifying its image file', () => {
		const outputs = triaged(firstRun);
		expect(outputs.map((json) => json.file).sort()).toEqual([...images].sort());
		for (const json of outputs) {
			const engine = expected.get(json.file) as Classification;
			expect(json.triage.classes).toEqual(classes);
			expect(json.triage.label).toBe(engine.label);
			const worst = Math.max(...json.triage.probabilities.map((p, c) => Math.abs(p - engine.probabilities[c])));
			expect({ file: json.file, within: worst <= SAME_PROBABILITIES }).toEqual({ file: json.file, within: true });
		}
		report.push(`labels: ${outputs.map((json) => `${path.basename(json.file)} ${json.triage.label} ${json.triage.score.toFixed(4)}`).join(', ')}`);
	});

	test('the labels table holds one row per file with its label and score', async () => {
		const rows = await labelRows();
		expect(rows.map((row) => row.file)).toEqual([...images].sort());
		for (const row of rows) {
			const engine = expected.get(row.file) as Classification;
			expect(row).toMatchObject({ label: engine.label, classes });
			expect(Math.abs(row.score - engine.score)).toBeLessThanOrEqual(SAME_PROBABILITIES);
		}
	});

	test('running it again with other classes replaces the labels with those the images get under them', async () => {
		await run(withClasses(retriage, OTHER_CLASSES), 're-triage with other classes');
		const rows = await labelRows();
		expect(rows.map((row) => row.file)).toEqual([...images].sort());
		for (const row of rows) expect(row).toMatchObject({ classes: OTHER_CLASSES, label: (expectedOthers.get(row.file) as Classification).label });
	});
});
