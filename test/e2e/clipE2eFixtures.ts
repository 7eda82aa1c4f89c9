/**
 * What the CLIP node's e2e specifications share: the tiny generated models and test images written
 * where n8n may read them, workflow building blocks, the engine's own answers (computed outside
 * n8n with the built package) and the checks every classified item must pass.
 *
 * Models and images go into the test's scratch user folder (`<userFolder>/files`), never into the
 * repository: the repository is the N8N_CUSTOM_EXTENSIONS folder, which n8n's Read/Write Files from
 * Disk refuses to read.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { generateTestModels } from '../fixtures/generateTestModels';
import { testImage, type TestImageKind } from '../fixtures/testImages';
import type { NodeItem, RunResult, Workflow } from './n8nRunner';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { engineReference, REPO_ROOT } = require('./engineReference') as {
	engineReference: (input: ReferenceInput) => ReferenceOutput;
	REPO_ROOT: string;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runner = require('./n8nRunner') as typeof import('./n8nRunner');

export { REPO_ROOT };
export const PACKAGE_NAME = 'n8n-nodes-zero-shot-image-classification';
export const NODE_NAME = 'zeroShotImageClassification';
export const NODE_TYPE = `${PACKAGE_NAME}.${NODE_NAME}`;
export const DISPLAY_NAME = 'Zero-Shot Image Classification';
export const DEFAULT_TEMPLATE = 'a photo of a {}.';

/** Softmax outputs are float32 arithmetic carried in float64: they sum to 1 within this. */
export const SUM_TOLERANCE = 1e-5;
/** n8n (Node 24 for 2.x) and the reference (the machine's Node) run the same ONNX Runtime binary. */
export const SAME_ENGINE_TOLERANCE = 1e-5;
/** The bound for the WebAssembly backend against native. */
export const WASM_TOLERANCE = 1e-3;

export interface ReferenceInput {
	model: string;
	template?: string;
	backend?: 'native' | 'wasm';
	batchSize?: number;
	rounds?: number;
	requests: Array<{ file?: string; dataUrl?: string; classes: string[] }>;
	imageEmbeddings?: Array<{ file?: string; dataUrl?: string }>;
	textEmbeddings?: string[];
}

export interface Classification {
	probabilities: number[];
	classes: string[];
	label: string;
	score: number;
}

export interface ReferenceOutput {
	backend: string;
	results: Array<Classification | { error: string }>;
	roundMs: number[];
	imageEmbeddings?: Array<number[] | { error: string }>;
	textEmbeddings?: number[][];
}

/** The engine's classification of each request (throws if any image failed). */
export function referenceClassifications(input: ReferenceInput): Classification[] {
	const { results } = engineReference(input);
	return results.map((result, index) => {
		if ('error' in result) throw new Error(`reference failed on request ${index}: ${result.error}`);
		return result;
	});
}

export function runReference(input: ReferenceInput): ReferenceOutput {
	return engineReference(input);
}

/** Tiny random-weight CLIP models in both public layouts (~6 MB, well under a second). */
export async function writeModels(dir: string): Promise<{ hf: string; immich: string }> {
	const generated = await generateTestModels(dir, { layouts: ['hf', 'immich'], hfVariants: false });
	if (!generated.hf || !generated.immich) throw new Error('the generator wrote no hf/immich model');
	return { hf: generated.hf.dir, immich: generated.immich.dir };
}

/** A tiny SigLIP-shaped model in the Hugging Face layout (separate towers plus the combined graph with scale and bias). */
export async function writeSiglipModel(dir: string): Promise<string> {
	const generated = await generateTestModels(dir, { layouts: ['siglipHf'] });
	if (!generated.siglipHf) throw new Error('the generator wrote no SigLIP model');
	return generated.siglipHf.dir;
}

export interface ImageSpec {
	name: string;
	kind: TestImageKind;
	format?: 'png' | 'jpeg' | 'webp';
	seed?: number;
}

/** The five visually distinct test images, in three formats. */
export const STANDARD_IMAGES: ImageSpec[] = [
	{ name: 'stripes.png', kind: 'stripes', format: 'png' },
	{ name: 'checker.jpg', kind: 'checker', format: 'jpeg' },
	{ name: 'gradient.webp', kind: 'gradient', format: 'webp' },
	{ name: 'blobs.png', kind: 'blobs', format: 'png' },
	{ name: 'noise.jpg', kind: 'noise', format: 'jpeg' },
];

/** Writes the images into `dir`; returns their paths in the order given. */
export async function writeImages(dir: string, specs: ImageSpec[]): Promise<string[]> {
	mkdirSync(dir, { recursive: true });
	const files: string[] = [];
	for (const spec of specs) {
		const file = path.join(dir, spec.name);
		writeFileSync(file, await testImage(spec.kind, spec.format ?? 'png', 320, 240, spec.seed ?? 0));
		files.push(file);
	}
	return files;
}

/** A file that claims to be a PNG (signature and extension) but whose data is garbage. */
export function writeCorruptPng(file: string): string {
	mkdirSync(path.dirname(file), { recursive: true });
	const bytes = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('this is not image data '.repeat(20))]);
	writeFileSync(file, bytes);
	return file;
}

export function dataUrl(file: string): string {
	const extension = path.extname(file).slice(1).toLowerCase();
	const mime = extension === 'jpg' ? 'image/jpeg' : `image/${extension}`;
	return `data:${mime};base64,${readFileSync(file).toString('base64')}`;
}

// ---------------------------------------------------------------------------------------------
// Workflow building blocks (node types as published; the runner renames them for N8N_CUSTOM_EXTENSIONS)
// ---------------------------------------------------------------------------------------------

type WorkflowNode = Record<string, unknown> & { name: string; type: string };

export function manualTrigger(): WorkflowNode {
	return { id: 'trigger', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} };
}

export function readFiles(fileSelector: string, name = 'Read images'): WorkflowNode {
	return {
		id: 'read',
		name,
		type: 'n8n-nodes-base.readWriteFile',
		typeVersion: 1.1,
		position: [220, 0],
		parameters: { operation: 'read', fileSelector, options: {} },
	};
}

export function codeNode(name: string, jsCode: string): WorkflowNode {
	return { id: 'code', name, type: 'n8n-nodes-base.code', typeVersion: 2, position: [440, 0], parameters: { jsCode } };
}

/** The node under test with a local model folder. `extra` is merged into the node (e.g. onError). */
export function classifyNode(
	modelFolder: string,
	parameters: Record<string, unknown>,
	extra: Record<string, unknown> = {},
	name = 'Classify',
): WorkflowNode {
	return {
		id: 'classify',
		name,
		type: NODE_TYPE,
		typeVersion: 1,
		position: [660, 0],
		parameters: { model: 'custom', customModel: modelFolder, options: {}, ...parameters },
		...extra,
	};
}

/** A linear workflow: each node feeds the next. */
export function chain(name: string, ...nodes: WorkflowNode[]): Workflow {
	const connections: Record<string, unknown> = {};
	for (let i = 0; i + 1 < nodes.length; i++) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { name, nodes, connections, settings: { executionOrder: 'v1' } };
}

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

/** What every classified item must satisfy on its own, whatever the model. */
export function expectWellFormed(json: Record<string, unknown>, classes: string[]): void {
	expect(json.classes).toEqual(classes);
	const probabilities = json.probabilities as number[];
	expect(probabilities).toHaveLength(classes.length);
	for (const p of probabilities) {
		expect(p).toBeGreaterThanOrEqual(0);
		expect(p).toBeLessThanOrEqual(1);
	}
	expect(Math.abs(probabilities.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(SUM_TOLERANCE);
	const best = probabilities.indexOf(Math.max(...probabilities));
	expect(json.label).toBe(classes[best]);
	expect(json.score).toBe(probabilities[best]);
}

export function maxAbsDifference(a: number[], b: number[]): number {
	expect(a).toHaveLength(b.length);
	return Math.max(...a.map((value, i) => Math.abs(value - b[i])));
}

/** n8n's item agrees with the engine's answer: same classes, label, and probabilities within `tolerance`. */
export function expectMatchesReference(json: Record<string, unknown>, reference: Classification, tolerance = SAME_ENGINE_TOLERANCE): void {
	expectWellFormed(json, reference.classes);
	expect(json.label).toBe(reference.label);
	expect(maxAbsDifference(json.probabilities as number[], reference.probabilities)).toBeLessThan(tolerance);
}

/** The output items keyed by the file they came from (Read/Write Files from Disk sets fileName). */
export function byFileName(items: NodeItem[]): Map<string, NodeItem> {
	return new Map(items.map((item) => [String(item.json.fileName ?? item.binary?.data?.fileName), item]));
}

/** A readable account of a failed run, for `if (!result.ok) throw new Error(explain(result))`. */
export function explain(result: RunResult): string {
	return JSON.stringify(
		{
			exitCode: result.exitCode,
			status: result.status,
			error: result.error,
			warnings: runner.unexpectedWarnings(result),
			raw: result.rawLines.slice(-20),
			stderr: result.stderr.split('\n').slice(-20),
		},
		null,
		2,
	);
}

/** Description problems n8n reported about this package (expected: none). */
export function packageDescriptionWarnings(result: RunResult): ReturnType<typeof runner.descriptionWarnings> {
	return [
		...runner.descriptionWarnings(result, { nodeName: NODE_NAME, packageName: PACKAGE_NAME, displayName: DISPLAY_NAME }),
		...runner.descriptionWarnings(result, { nodeName: 'huggingFaceHubApi' }),
	];
}
