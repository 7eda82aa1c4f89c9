// Copies what the build needs besides tsc's output: node icons and codex files, credential
// icons, the model preset manifests the node and the CLI read at run time, and the engine's
// WebAssembly resampler (built from assembly/ by `npm run build:wasm`, committed).
const { src, dest, parallel } = require('gulp');

function nodeAssets() {
	return src(['nodes/**/*.{png,svg}', 'nodes/**/*.node.json'], { encoding: false }).pipe(dest('dist/nodes'));
}

function credentialAssets() {
	return src('credentials/**/*.{png,svg}', { encoding: false, allowEmpty: true }).pipe(dest('dist/credentials'));
}

function modelPresets() {
	return src('models/*.json').pipe(dest('dist/models'));
}

function engineAssets() {
	return src('engine/**/*.wasm', { encoding: false }).pipe(dest('dist/engine'));
}

exports.build = parallel(nodeAssets, credentialAssets, modelPresets, engineAssets);
exports.default = exports.build;
