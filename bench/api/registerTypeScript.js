'use strict';
/**
 * `node -r ./bench/api/registerTypeScript.js bench/api/runApiBench.ts`: the API bench's TypeScript
 * runs from the source tree, transpiled as it is required (the npm script type-checks it first with
 * `tsc -p bench/tsconfig.json --noEmit`).
 *
 * Why not compiled into node_modules/.cache like the other benches: it drives n8n through the e2e
 * suite's harness, whose TypeScript modules require their CommonJS siblings relatively
 * (test/e2e/n8nRunner.js, n8nServer.js, engineReference.js, scripts/exampleWorkflows.js) and find
 * the repository, its dist/ and its examples/ from their own __dirname. Compiled elsewhere, those
 * requires and paths would break; in a git worktree whose node_modules is a symlink, __dirname of a
 * compiled file would even resolve into another checkout.
 */
const fs = require('node:fs');
const ts = require('typescript');

const COMPILER_OPTIONS = {
	module: ts.ModuleKind.CommonJS,
	target: ts.ScriptTarget.ES2022,
	esModuleInterop: true,
	resolveJsonModule: true,
	inlineSourceMap: true,
};

require.extensions['.ts'] = function compileTypeScript(module, filename) {
	const source = fs.readFileSync(filename, 'utf8');
	const { outputText } = ts.transpileModule(source, { fileName: filename, compilerOptions: COMPILER_OPTIONS });
	module._compile(outputText, filename);
};
