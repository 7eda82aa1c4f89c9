import * as ort from 'onnxruntime-node';
import { selectBackend } from '../../engine';
import { toFloat16Array } from '../../engine/onnx/float16';
import { sessionOptions } from '../../engine/onnx/runtimeOptions';
import { nowMs, peakRssMb, rate } from './measure';
import type { InferenceCeilingSpec, Measurement, ScenarioResult } from './scenarioTypes';

/**
 * onnxruntime-node alone on ready tensors, with the engine's own session options: what the
 * hardware gives for the vision tower, with no decoding, copying or scoring around it.
 */
export async function inferenceCeiling(spec: InferenceCeilingSpec): Promise<ScenarioResult> {
	const started = nowMs();
	const options = { ...sessionOptions({ intraOpThreads: spec.threads, backend: 'native' }, selectBackend('native', 0)), ...spec.sessionOverrides };
	const session = await ort.InferenceSession.create(spec.visionModel, options);
	const loadMs = nowMs() - started;
	const input = session.inputNames[0];
	const output = session.outputNames[0];
	// Half-precision exports take float16 pixels (raw bits in a Uint16Array, as the engine feeds them).
	const metadata = session.inputMetadata[0];
	const half = metadata.isTensor && metadata.type === 'float16';
	const side = 224;
	const perImage = 3 * side * side;

	const feeds = new Map<number, Record<string, ort.Tensor>>();
	for (const batch of spec.batchSizes) {
		// Normalized pixels are roughly N(0, 1); the values do not change the work done.
		const data = new Float32Array(batch * perImage);
		for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 12.9898) * 1.5;
		feeds.set(batch, { [input]: half ? new ort.Tensor('float16', toFloat16Array(data), [batch, 3, side, side]) : new ort.Tensor('float32', data, [batch, 3, side, side]) });
		// Warm-up: the first run of a shape plans its memory.
		await session.run(feeds.get(batch) as Record<string, ort.Tensor>, [output]);
	}

	const samples = new Map<number, number[]>(spec.batchSizes.map((b) => [b, []]));
	for (let pass = 0; pass < spec.passes; pass++) {
		// Alternate the order so that neither end of the sweep always runs on a warmer machine.
		const order = pass % 2 === 0 ? spec.batchSizes : [...spec.batchSizes].reverse();
		for (const batch of order) {
			const runs = Math.max(1, Math.round(spec.images / batch));
			const feed = feeds.get(batch) as Record<string, ort.Tensor>;
			const t = nowMs();
			for (let r = 0; r < runs; r++) await session.run(feed, [output]);
			samples.get(batch)?.push(rate(runs * batch, nowMs() - t));
		}
	}
	await session.release();
	const measurements: Measurement[] = spec.batchSizes.map((b) => ({ key: `inference ${spec.variant} b${b}`, imagesPerSecond: samples.get(b) ?? [] }));
	return { measurements, peakRssMb: peakRssMb(), loadMs };
}
