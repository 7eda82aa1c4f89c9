// n8n's community-node lint configuration (the one `n8n-node lint` applies, from @n8n/node-cli),
// in its "without n8n Cloud support" form: this package runs native code (onnxruntime-node,
// sharp), which n8n Cloud does not allow, so it cannot be a Cloud-verified node anyway.
import js from '@eslint/js';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import { globalIgnores } from 'eslint/config';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importPlugin from 'eslint-plugin-import-x';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import tseslint from 'typescript-eslint';

const communityNodes = n8nCommunityNodesPlugin.configs.recommendedWithoutN8nCloudSupport;

export default tseslint.config(
	globalIgnores(['dist', 'node_modules', 'coverage', 'test/.generated', '**/*.js', '**/*.mjs']),
	{
		files: ['**/*.ts'],
		extends: [js.configs.recommended, tseslint.configs.recommended, communityNodes, importPlugin.configs['flat/recommended']],
		rules: {
			'prefer-spread': 'off',
			'no-console': 'error',
		},
	},
	{
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
	},
	{
		files: ['package.json'],
		extends: [communityNodes],
		rules: {
			...n8nNodesBase.configs.community.rules,
			// The one rule turned off: it forbids runtime dependencies, and running CLIP in the node
			// is impossible without onnxruntime-node (native inference) and sharp (image decoding).
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
		languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } },
	},
	{
		files: ['./credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['./nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
	{
		// The node and the CLI use the engine only through its two public surfaces, engine/index.ts
		// and engine/hub/index.ts, so the files behind them can change without breaking either
		// (test/architecture/publicSurfaces.test.ts checks the same, with the file and import named).
		files: ['cli/**/*.ts', 'nodes/**/*.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{
							regex: '^(\\.\\./)+engine/(?!hub$).+',
							message: "Import the engine from its public surfaces only: '…/engine' or '…/engine/hub' (export what you need there).",
						},
					],
				},
			],
		},
	},
	{
		// The engine is deliberately free of n8n imports (the CLI, tests and benchmarks use it
		// outside n8n), so it cannot throw n8n's NodeOperationError: it throws EngineError with a
		// stable code, which the node converts (nodes/.../toNodeError.ts). The rule stays on for nodes/
		// and credentials/.
		files: ['engine/**/*.ts', 'cli/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
		rules: { '@n8n/community-nodes/require-node-api-error': 'off' },
	},
	{
		// A command-line tool and test files print and use timers; n8n's sandboxing rules are for node code.
		files: ['cli/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
		rules: {
			'@n8n/community-nodes/no-restricted-globals': 'off',
			'@n8n/community-nodes/no-restricted-imports': 'off',
			'no-console': 'off',
		},
	},
	{
		// Tests and benchmarks start child processes on purpose (two downloaders racing, isolated
		// measurements); nothing the node runs in n8n does.
		files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
		rules: { '@n8n/community-nodes/no-dangerous-functions': 'off' },
	},
);
