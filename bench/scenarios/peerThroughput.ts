import { AGREEMENT_IMAGES, classNames, nowMs, peakRssMb, rate, TEMPLATE } from './measure';
import type { PeerSpec, ScenarioResult } from './scenarioTypes';
import { inClassOrder, loadTransformers } from './transformersJs';

type Scores = Array<{ label: string; score: number }>;

/** transformers.js' zero-shot-image-classification pipeline on the same model folder and files. */
export async function peerThroughput(spec: PeerSpec): Promise<ScenarioResult> {
	const started = nowMs();
	const transformers = await loadTransformers(spec.localModelPath);
	// Its default for CLIP: the combined onnx/model.onnx in fp32, on onnxruntime-node.
	const classifier = await transformers.pipeline('zero-shot-image-classification', spec.modelId, { dtype: 'fp32', device: 'cpu' });
	const loadMs = nowMs() - started;
	const classes = classNames(spec.classCount);
	const classify = async (files: readonly string[]): Promise<number[][]> => {
		const out: number[][] = [];
		for (let i = 0; i < files.length; i += spec.batchSize) {
			const batch = files.slice(i, i + spec.batchSize);
			const result = (await classifier([...batch], classes, { hypothesis_template: TEMPLATE })) as Scores | Scores[];
			// One image comes back as a flat list, several as a list per image.
			const perImage = batch.length === 1 ? [result as Scores] : (result as Scores[]);
			out.push(...perImage.map((scores) => inClassOrder(scores, classes)));
		}
		return out;
	};

	const first = nowMs();
	await classify(spec.files.slice(0, 1));
	const firstItemMs = nowMs() - first;
	await classify(spec.files); // warm-up

	const samples: number[] = [];
	let probabilities: number[][] | undefined;
	for (let pass = 0; pass < spec.passes; pass++) {
		const t = nowMs();
		const results = await classify(spec.files);
		samples.push(rate(spec.files.length, nowMs() - t));
		// Only the 10-class list is compared across pipelines (1000 probabilities per image would bloat the result).
		if (spec.classCount === 10) probabilities ??= results.slice(0, AGREEMENT_IMAGES);
	}
	await classifier.dispose();
	return { measurements: [{ key: `c${spec.classCount}`, imagesPerSecond: samples }], peakRssMb: peakRssMb(), loadMs, firstItemMs, probabilities };
}
