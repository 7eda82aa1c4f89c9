'use strict';
/**
 * `npm run docs [-- --check] [-- --page <file>]`: the parameter tables of docs/usage.md, built
 * from the node's TypeScript source (no build needed; see typescriptRequireHook.js).
 */
require('./typescriptRequireHook');
const { docsCommand } = require('./docsCommand.ts');

process.exitCode = docsCommand(process.argv.slice(2));
