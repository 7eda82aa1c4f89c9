'use strict';
/**
 * Proves the e2e infrastructure on a real n8n, independently of the package's own node:
 *  1. built-in nodes only: Manual Trigger → Read/Write Files from Disk (a generated PNG) → Code;
 *  2. a minimal community package generated here, loaded through N8N_CUSTOM_EXTENSIONS;
 *  3. the same package packed and installed the Community Nodes way into <userFolder>/.n8n/nodes;
 *  4. that description problems of a node are visible in n8n's log (descriptionWarnings).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {
	runWorkflow,
	runWorkflows,
	createUserFolder,
	removeUserFolder,
	installCommunityPackage,
	getNodeOutput,
	getNodeError,
	unexpectedWarnings,
	descriptionWarnings,
	writePng,
	getN8n,
} = require('./n8nRunner');

const PROBE_PACKAGE = 'n8n-nodes-e2e-probe';
/** Timings of this run, printed at the end (they are the numbers quoted in test/e2e/README.md). */
const timings = [];

/**
 * Writes a minimal n8n community package: package.json with the "n8n" section and two nodes as
 * plain JS in dist/ (what a TypeScript build would emit).
 *  - e2eProbe: well-formed (codex file, icon file); reports what it received (binary size, PNG
 *    signature, a parameter) and fails on demand through n8n-workflow's NodeOperationError, which
 *    it must resolve from n8n itself (the package has it as a peer dependency only);
 *  - e2eProbeFaulty: no codex file, a credential type that does not exist: n8n should say so.
 */
function writeProbePackage(root) {
	const nodeDir = path.join(root, 'dist', 'nodes', 'E2eProbe');
	const faultyDir = path.join(root, 'dist', 'nodes', 'E2eProbeFaulty');
	fs.mkdirSync(nodeDir, { recursive: true });
	fs.mkdirSync(faultyDir, { recursive: true });
	fs.writeFileSync(
		path.join(root, 'package.json'),
		JSON.stringify(
			{
				name: PROBE_PACKAGE,
				version: '0.0.1',
				description: 'e2e infrastructure probe',
				keywords: ['n8n-community-node-package'],
				license: 'MIT',
				files: ['dist'],
				n8n: {
					n8nNodesApiVersion: 1,
					credentials: [],
					nodes: ['dist/nodes/E2eProbe/E2eProbe.node.js', 'dist/nodes/E2eProbeFaulty/E2eProbeFaulty.node.js'],
				},
				peerDependencies: { 'n8n-workflow': '*' },
			},
			null,
			2,
		),
	);
	fs.writeFileSync(
		path.join(nodeDir, 'E2eProbe.node.js'),
		`'use strict';
const { NodeOperationError } = require('n8n-workflow');

class E2eProbe {
	constructor() {
		this.description = {
			displayName: 'E2E Probe',
			name: 'e2eProbe',
			icon: 'file:e2eProbe.svg',
			group: ['transform'],
			version: 1,
			description: 'Reports what it received',
			defaults: { name: 'E2E Probe' },
			inputs: ['main'],
			outputs: ['main'],
			properties: [
				{ displayName: 'Label', name: 'label', type: 'string', default: 'probe', required: true },
				{ displayName: 'Fail', name: 'fail', type: 'boolean', default: false },
			],
		};
	}

	async execute() {
		const items = this.getInputData();
		const out = [];
		for (let i = 0; i < items.length; i++) {
			if (this.getNodeParameter('fail', i)) {
				throw new NodeOperationError(this.getNode(), 'probe failure requested', { itemIndex: i });
			}
			const binary = items[i].binary && items[i].binary.data;
			let bytes = null;
			let pngSignature = false;
			if (binary) {
				const buffer = await this.helpers.getBinaryDataBuffer(i, 'data');
				bytes = buffer.length;
				pngSignature = buffer.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
			}
			console.log('e2e-probe: item ' + i);
			out.push({
				json: {
					label: this.getNodeParameter('label', i),
					fileName: binary ? binary.fileName : null,
					mimeType: binary ? binary.mimeType : null,
					bytes,
					pngSignature,
					nodeVersion: process.version,
				},
				pairedItem: { item: i },
			});
		}
		return [out];
	}
}
module.exports = { E2eProbe };
`,
	);
	fs.writeFileSync(
		path.join(nodeDir, 'E2eProbe.node.json'),
		JSON.stringify({
			node: `${PROBE_PACKAGE}.e2eProbe`,
			nodeVersion: '1.0',
			codexVersion: '1.0',
			categories: ['Utility'],
			resources: { primaryDocumentation: [{ url: 'https://example.invalid/e2e-probe' }] },
		}),
	);
	fs.writeFileSync(
		path.join(nodeDir, 'e2eProbe.svg'),
		'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>',
	);
	fs.writeFileSync(
		path.join(faultyDir, 'E2eProbeFaulty.node.js'),
		`'use strict';
class E2eProbeFaulty {
	constructor() {
		this.description = {
			displayName: 'E2E Probe Faulty',
			name: 'e2eProbeFaulty',
			group: ['transform'],
			version: 1,
			description: 'Has no codex and names a credential type that does not exist',
			defaults: { name: 'E2E Probe Faulty' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: 'e2eProbeMissingApi', required: false }],
			properties: [],
		};
	}
	async execute() {
		return [this.getInputData()];
	}
}
module.exports = { E2eProbeFaulty };
`,
	);
	return root;
}

/** Manual Trigger → Read/Write Files from Disk (read `imagePath`) → `last` node. */
function readImageWorkflow(imagePath, last) {
	return {
		name: 'e2e infrastructure',
		nodes: [
			{ id: 'n1', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: 'n2',
				name: 'Read Image',
				type: 'n8n-nodes-base.readWriteFile',
				typeVersion: 1.1,
				position: [200, 0],
				parameters: { operation: 'read', fileSelector: imagePath, options: {} },
			},
			{ id: 'n3', position: [400, 0], ...last },
		],
		connections: {
			Start: { main: [[{ node: 'Read Image', type: 'main', index: 0 }]] },
			'Read Image': { main: [[{ node: last.name, type: 'main', index: 0 }]] },
		},
	};
}

const codeNode = {
	name: 'Inspect',
	type: 'n8n-nodes-base.code',
	typeVersion: 2,
	parameters: {
		jsCode: [
			'return $input.all().map((item) => ({ json: {',
			'  fileName: item.binary.data.fileName,',
			'  mimeType: item.binary.data.mimeType,',
			'  fileSize: item.binary.data.fileSize,',
			'  fromEnv: $env.E2E_MARKER,',
			'} }));',
		].join('\n'),
	},
};

const probeNode = (parameters = {}) => ({
	name: 'Probe',
	type: `${PROBE_PACKAGE}.e2eProbe`,
	typeVersion: 1,
	parameters: { label: 'hello', ...parameters },
});

function record(label, result) {
	timings.push({ label, importMs: result.importMs, executeMs: result.executeMs });
}

/** Context for a failed expectation: n8n's warnings and the tail of its output. */
function explain(result) {
	return JSON.stringify(
		{ exitCode: result.exitCode, status: result.status, error: result.error, warnings: unexpectedWarnings(result), raw: result.rawLines.slice(-20) },
		null,
		2,
	);
}

describe(`real n8n ${getN8n().version}: e2e infrastructure`, () => {
	let tempRoot;
	let probeDir;
	let shared; // one user folder for the custom-extension runs (migrations run once)
	let imagePath;

	beforeAll(() => {
		tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-infra-'));
		probeDir = writeProbePackage(path.join(tempRoot, PROBE_PACKAGE));
		shared = createUserFolder();
		imagePath = writePng(path.join(shared.filesDir, 'gradient.png'), 32, 24);
	});

	afterAll(() => {
		if (shared) removeUserFolder(shared.userFolder);
		if (tempRoot && process.env.E2E_KEEP !== '1') fs.rmSync(tempRoot, { recursive: true, force: true });
		process.stderr.write(
			`\n[e2e timings, n8n ${getN8n().version}]\n${timings.map((t) => `  ${t.label}: import ${t.importMs} ms, execute ${t.executeMs} ms`).join('\n')}\n`,
		);
	});

	test('built-in nodes: Read/Write Files from Disk reads a PNG, the Code node sees it and $env', async () => {
		const result = await runWorkflow(readImageWorkflow(imagePath, codeNode), {
			userFolder: shared.userFolder,
			env: { E2E_MARKER: 'from-env' },
		});
		record('built-ins (first run in a fresh user folder)', result);
		expect(result.ok).toBe(true);
		const [item] = getNodeOutput(result, 'Inspect');
		expect(item.json).toMatchObject({ fileName: 'gradient.png', mimeType: 'image/png', fromEnv: 'from-env' });
		expect(unexpectedWarnings(result)).toEqual([]);
	});

	test('file access outside N8N_RESTRICT_FILE_ACCESS_TO is refused', async () => {
		const outside = writePng(path.join(tempRoot, 'outside', 'outside.png'), 4, 4);
		const result = await runWorkflow(readImageWorkflow(outside, codeNode), { userFolder: shared.userFolder });
		record('built-ins, refused read', result);
		expect(result.ok).toBe(false);
		expect(JSON.stringify(getNodeError(result, 'Read Image'))).toMatch(/not allowed|No file\(s\) found|access/i);
	});

	test('custom node through N8N_CUSTOM_EXTENSIONS: runs, reads binary data, no description warnings', async () => {
		const result = await runWorkflow(readImageWorkflow(imagePath, probeNode()), {
			userFolder: shared.userFolder,
			packageDir: probeDir,
		});
		record('custom node via N8N_CUSTOM_EXTENSIONS', result);
		expect(result.ok).toBe(true);
		const [item] = getNodeOutput(result, 'Probe');
		expect(item.json).toMatchObject({ label: 'hello', fileName: 'gradient.png', mimeType: 'image/png', pngSignature: true });
		expect(item.json.bytes).toBe(fs.statSync(imagePath).size);
		// The node runs inside n8n's process: Node 24 for n8n 2.x.
		expect(item.json.nodeVersion).toEqual(getN8n().needsNode24 ? expect.stringMatching(/^v24\./) : process.version);
		// What the node writes with console.log reaches stdout as plain lines.
		expect(result.rawLines).toContain('e2e-probe: item 0');
		expect(descriptionWarnings(result, { nodeName: 'e2eProbe', displayName: 'E2E Probe' })).toEqual([]);
		expect(unexpectedWarnings(result, [/e2eProbeFaulty/])).toEqual([]);
	});

	test('a node error is reported as the run error and as the node task error', async () => {
		const result = await runWorkflow(readImageWorkflow(imagePath, probeNode({ fail: true })), {
			userFolder: shared.userFolder,
			packageDir: probeDir,
		});
		record('custom node, failing', result);
		expect(result.ok).toBe(false);
		expect(result.exitCode).not.toBe(0);
		expect(result.error && result.error.message).toBe('probe failure requested');
		expect(getNodeError(result, 'Probe')).toMatchObject({ message: 'probe failure requested' });
	});

	test('a workflow n8n refuses before any node runs: the error is read back from the database', async () => {
		const result = await runWorkflow(readImageWorkflow(imagePath, probeNode({ label: '' })), {
			userFolder: shared.userFolder,
			packageDir: probeDir,
		});
		record('custom node, workflow has issues', result);
		expect(result.ok).toBe(false);
		expect(result.execution.fromDatabase).toBe(true);
		// 2.x names the problem; 1.x only says "The workflow has issues and cannot be executed ...".
		expect(result.error).toMatchObject({
			name: 'WorkflowHasIssuesError',
			message: expect.stringMatching(/Parameter "Label" is required|workflow has issues/),
		});
	});

	test('runWorkflows: one import for a batch, then each workflow executes in order', async () => {
		const results = await runWorkflows(
			[readImageWorkflow(imagePath, probeNode({ label: 'first' })), readImageWorkflow(imagePath, probeNode({ label: 'second' }))],
			{ userFolder: shared.userFolder, packageDir: probeDir },
		);
		results.forEach((result, index) => record(`batch of 2, workflow ${index + 1} (shared import)`, result));
		expect(results.map((result) => result.ok)).toEqual([true, true]);
		expect(results.map((result) => getNodeOutput(result, 'Probe')[0].json.label)).toEqual(['first', 'second']);
		expect(new Set(results.map((result) => result.workflowId)).size).toBe(2);
	});

	test('description problems are visible: missing codex and unknown credential type', async () => {
		const result = await runWorkflow(readImageWorkflow(imagePath, probeNode()), {
			userFolder: shared.userFolder,
			packageDir: probeDir,
		});
		record('custom node, description warnings', result);
		const faulty = descriptionWarnings(result, { nodeName: 'e2eProbeFaulty' }).map((r) => r.message);
		expect(faulty).toEqual(
			expect.arrayContaining([
				expect.stringMatching(/No codex available for: e2eProbeFaulty/),
				expect.stringMatching(/e2eProbeMissingApi/),
			]),
		);
	});

	describe('installed the Community Nodes way into <userFolder>/.n8n/nodes', () => {
		let community;
		let installed;

		beforeAll(() => {
			community = createUserFolder();
			writePng(path.join(community.filesDir, 'gradient.png'), 32, 24);
			installed = installCommunityPackage(probeDir, { userFolder: community.userFolder });
			timings.push({ label: `community install (npm pack + npm install): ${installed.installMs} ms`, importMs: 0, executeMs: 0 });
		});

		afterAll(() => {
			if (community) removeUserFolder(community.userFolder);
		});

		test('the package is laid out as n8n lays it out, peer dependencies dropped', () => {
			expect(installed.packageDir).toBe(path.join(community.userFolder, '.n8n', 'nodes', 'node_modules', PROBE_PACKAGE));
			const manifest = JSON.parse(fs.readFileSync(path.join(installed.packageDir, 'package.json'), 'utf8'));
			expect(manifest.peerDependencies).toBeUndefined();
			const ledger = JSON.parse(fs.readFileSync(path.join(installed.nodesDir, 'package.json'), 'utf8'));
			expect(ledger.dependencies).toEqual({ [PROBE_PACKAGE]: '0.0.1' });
		});

		test('n8n loads it at start-up and runs its node', async () => {
			const result = await runWorkflow(readImageWorkflow(path.join(community.filesDir, 'gradient.png'), probeNode()), {
				userFolder: community.userFolder,
			});
			record('community package (first run in a fresh user folder)', result);
			if (!result.ok) throw new Error(explain(result));
			const [item] = getNodeOutput(result, 'Probe');
			expect(item.json).toMatchObject({ label: 'hello', mimeType: 'image/png', pngSignature: true });
			expect(descriptionWarnings(result, { nodeName: 'e2eProbe', displayName: 'E2E Probe' })).toEqual([]);
			expect(unexpectedWarnings(result, [/e2eProbeFaulty|e2eProbeMissingApi/])).toEqual([]);
		});
	});
});
