import { readFile } from 'node:fs/promises';
import { ClipModel, classifyImages, type Classification, type ClassificationRequest } from '../../engine';
import { AGREEMENT_IMAGES, classNames, nowMs, peakRssMb, rate } from './measure';
import { pairedCeiling } from './pairedCeiling';
import type { EngineSpec, Measurement, ScenarioResult } from './scenarioTypes';

function requests(files: readonly string[], classes: readonly string[]): ClassificationRequest[] {
	// Loaders, as the node passes them: each file is read when its batch is decoded.
	return files.map((file) => ({ image: () => readFile(file), classes }));
}

function successes(results: Array<Classification | Error>): Classification[] {
	const failed = results.find((r): r is Error => r instanceof Error);
	if (failed) throw failed;
	return results as Classification[];
}

/** The engine, files to probabilities, for each class-list size in turn (embeddings cached first). */
export async function engineThroughput(spec: EngineSpec): Promise<ScenarioResult> {
	const started = nowMs();
	const model = await ClipModel.load(spec.modelFolder, { variant: spec.variant, runtime: { intraOpThreads: spec.threads, backend: 'native' } });
	const loadMs = nowMs() - started;
	const options = { resampling: spec.resampling, batchSize: spec.batchSize } as const;
	const lists = new Map(spec.classCounts.map((count) => [count, classNames(count)]));
	const details: Record<string, number> = {};

	// The first item through a fresh model: one image, its 10 prompts not yet embedded.
	const first = nowMs();
	successes(await classifyImages(model, requests(spec.files.slice(0, 1), classNames(10)), options));
	const firstItemMs = nowMs() - first;

	// Each class list once, as an earlier execution would have embedded it.
	for (const [count, classes] of lists) {
		const t = nowMs();
		successes(await classifyImages(model, requests(spec.files.slice(0, 1), classes), options));
		details[`textAndOneImageMs c${count}`] = nowMs() - t;
	}
	// Warm-up pass: every batch shape of the run planned once by ONNX Runtime; keeps the model
	// input of every file for the inference-only passes.
	const pixels: Float32Array[] = [];
	successes(await classifyImages(model, requests(spec.files, lists.values().next().value as string[]), { ...options, onPixels: (i, p) => (pixels[i] = Float32Array.from(p)) }));
	const ceiling = pairedCeiling(model, spec.files, pixels, Math.min(spec.batchSize, model.maxImageBatch), spec.resampling);
	const paired = { inference: [] as number[], preprocess: [] as number[] };

	const textBefore = model.textInferenceCount;
	const samples = new Map<number, number[]>(spec.classCounts.map((c) => [c, []]));
	let probabilities: number[][] | undefined;
	for (let pass = 0; pass < spec.passes; pass++) {
		const order = pass % 2 === 0 ? spec.classCounts : [...spec.classCounts].reverse();
		for (const count of order) {
			const t = nowMs();
			const results = successes(await classifyImages(model, requests(spec.files, lists.get(count) as string[]), options));
			samples.get(count)?.push(rate(spec.files.length, nowMs() - t));
			if (count === 10 && probabilities === undefined) probabilities = results.slice(0, AGREEMENT_IMAGES).map((r) => r.probabilities);
		}
		paired.inference.push(await ceiling.inference());
		paired.preprocess.push(await ceiling.preprocess());
	}
	// Zero proves the cache: executions after the first with the same classes run no text inference.
	details.textInferencesWhileMeasuring = model.textInferenceCount - textBefore;
	await model.release();

	const measurements: Measurement[] = spec.classCounts.map((c) => ({ key: `c${c}`, imagesPerSecond: samples.get(c) ?? [] }));
	return { measurements, peakRssMb: peakRssMb(), loadMs, firstItemMs, probabilities, details, pairedCeiling: paired };
}
