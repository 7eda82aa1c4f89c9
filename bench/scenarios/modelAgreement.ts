import { readFile } from 'node:fs/promises';
import { ClipModel, classifyImages, type Classification } from '../../engine';
import { AGREEMENT_IMAGES, classNames, peakRssMb, TEMPLATE } from './measure';
import type { ModelAgreementSpec, ScenarioResult } from './scenarioTypes';
import { loadTransformers } from './transformersJs';

function softmax(logits: ArrayLike<number>): number[] {
	let max = -Infinity;
	for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
	const exps = Array.from(logits, (l) => Math.exp(l - max));
	const total = exps.reduce((a, b) => a + b, 0);
	return exps.map((e) => e / total);
}

/**
 * The model half of the comparison: this engine's model input for each image fed to
 * transformers.js' own CLIPModel (tokenizer, combined graph, logits). Any difference left is
 * in tokenization, pooling or scoring, not in image preprocessing.
 */
export async function modelAgreement(spec: ModelAgreementSpec): Promise<ScenarioResult> {
	const files = spec.files.slice(0, AGREEMENT_IMAGES);
	const classes = classNames(10);
	const model = await ClipModel.load(spec.modelFolder, { runtime: { intraOpThreads: spec.threads, backend: 'native' } });
	const pixels: Float32Array[] = [];
	const ours = (await classifyImages(model, files.map((f) => ({ image: () => readFile(f), classes })), { onPixels: (i, p) => (pixels[i] = Float32Array.from(p)) })) as Classification[];
	await model.release();

	const transformers = await loadTransformers(spec.localModelPath);
	const tokenizer = await transformers.AutoTokenizer.from_pretrained(spec.modelId);
	const clip = await transformers.CLIPModel.from_pretrained(spec.modelId, { dtype: 'fp32', device: 'cpu' });
	const textInputs = tokenizer(classes.map((c) => TEMPLATE.replace('{}', c)), { padding: true, truncation: true });
	let maxDelta = 0;
	const probabilities: number[][] = [];
	for (let i = 0; i < files.length; i++) {
		const output = await clip({ ...textInputs, pixel_values: new transformers.Tensor('float32', pixels[i], [1, 3, 224, 224]) });
		const theirs = softmax(output.logits_per_image.data as Float32Array);
		probabilities.push(theirs);
		theirs.forEach((p, c) => (maxDelta = Math.max(maxDelta, Math.abs(p - ours[i].probabilities[c]))));
	}
	await clip.dispose();
	return { measurements: [], peakRssMb: peakRssMb(), probabilities, details: { maxAbsDeltaP: maxDelta } };
}
