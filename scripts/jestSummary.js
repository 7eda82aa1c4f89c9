#!/usr/bin/env node
// Prints a jest JSON report (--json --outputFile) as one plain closing line,
// "<label>: N passed, N failed, N skipped", which any CI log reader understands.
const { readFileSync } = require('node:fs');

const [file, label = 'tests'] = process.argv.slice(2);
const report = JSON.parse(readFileSync(file, 'utf8'));
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`${label}: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
process.exitCode = report.success ? 0 : 1;
