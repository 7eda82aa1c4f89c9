/**
 * Classes From: Example Images in a real n8n (the package loaded through N8N_CUSTOM_EXTENSIONS,
 * tiny generated CLIP model): an examples folder with one subfolder per class (5 re-upload
 * variants of each class's base picture, the few-shot task of the unit suite), query images read
 * by Read/Write Files from Disk, and One Branch per Class: each query leaves on the output of its
 * own class, its scores marked `scoring: "examples"`. The folder sits under n8n's allowed file
 * folder, as the node's file-access rule requires.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { fewShotTask, QUERIES_PER_CLASS, type FewShotClass } from '../fixtures/fewShotTask';
import { chain, classifyNode, explain, manualTrigger, readFiles, REPO_ROOT, writeModels } from './clipE2eFixtures';
import type { RunResult } from './n8nRunner';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runner = require('./n8nRunner') as typeof import('./n8nRunner');

const layout = runner.getN8n();

describe(`Classes From: Example Images in real n8n ${layout.version}`, () => {
	let userFolder: string;
	let task: FewShotClass[];
	let run: RunResult;

	beforeAll(async () => {
		({ userFolder } = runner.createUserFolder('n8n-e2e-examples-'));
		const files = path.join(userFolder, 'files');
		const model = (await writeModels(path.join(files, 'models'))).hf;
		task = await fewShotTask();
		for (const c of task) {
			mkdirSync(path.join(files, 'examples', c.label), { recursive: true });
			c.examples.forEach((bytes, k) => writeFileSync(path.join(files, 'examples', c.label, `${k + 1}.jpg`), bytes));
			mkdirSync(path.join(files, 'queries'), { recursive: true });
			c.queries.forEach((bytes, k) => writeFileSync(path.join(files, 'queries', `${c.label}--${k + 1}.jpg`), bytes));
		}
		const workflow = chain(
			'routed by example classes',
			manualTrigger(),
			readFiles(path.join(files, 'queries', '*.jpg')),
			classifyNode(model, {
				classDefinition: 'exampleImages',
				examplesFolder: path.join(files, 'examples'),
				classes: task.map((c) => c.label).join(', '),
				output: 'perClass',
			}),
		);
		[run] = await runner.runWorkflows([workflow], { packageDir: REPO_ROOT, userFolder });
	}, 600_000);

	afterAll(() => {
		if (userFolder) runner.removeUserFolder(userFolder);
	});

	function output(index: number): ReturnType<typeof runner.getNodeOutput> {
		if (!run.ok) throw new Error(explain(run));
		return runner.getNodeOutput(run, 'Classify', { output: index });
	}

	test('at least 95 % of the query images leave on the output of their own class, every item scored from examples', () => {
		let own = 0;
		let routed = 0;
		task.forEach((c, index) => {
			for (const item of output(index)) {
				routed++;
				expect(item.json.scoring).toBe('examples');
				expect(item.json.classes).toEqual(task.map((t) => t.label));
				if (String(item.json.fileName).startsWith(`${c.label}--`)) own++;
			}
		});
		const total = task.length * QUERIES_PER_CLASS;
		console.log(`[example classes in n8n] ${own} of ${total} queries on their own class's output (${task.length} classes)`);
		expect(routed + output(task.length).length).toBe(total);
		expect(own / total).toBeGreaterThanOrEqual(0.95);
	});
});
