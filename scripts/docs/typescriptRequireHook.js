'use strict';
/**
 * Lets `npm run docs` require the node's TypeScript source as it is, without a build and without
 * ts-node (not a dependency): each .ts file is transpiled on require, as ts-jest does for the
 * specifications. Types are not checked here; `npm run typecheck` does that.
 */
const fs = require('node:fs');
const ts = require('typescript');

const compilerOptions = {
	module: ts.ModuleKind.CommonJS,
	target: ts.ScriptTarget.ES2022,
	esModuleInterop: true,
	resolveJsonModule: true,
	sourceMap: false,
	inlineSourceMap: true,
};

require.extensions['.ts'] = (module, filename) => {
	const source = fs.readFileSync(filename, 'utf8');
	const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename });
	module._compile(outputText, filename);
};
