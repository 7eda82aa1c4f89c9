import type { InferenceSession, Tensor } from 'onnxruntime-node';

/** An input or output of a loaded model, as its session metadata describes it. */
export interface TensorSignature {
	readonly name: string;
	readonly type: Tensor.Type;
	/** Dimensions: a number when static, `undefined` when symbolic (dynamic). */
	readonly dims: readonly (number | undefined)[];
}

export function signatures(metadata: readonly InferenceSession.ValueMetadata[]): TensorSignature[] {
	return metadata.map((value) =>
		value.isTensor
			? { name: value.name, type: value.type, dims: value.shape.map((d) => (typeof d === 'number' && d > 0 ? d : undefined)) }
			: { name: value.name, type: 'float32' as Tensor.Type, dims: [] },
	);
}

/** The first signature whose name is one of `names` (in order of preference). */
export function findByName(list: readonly TensorSignature[], names: readonly string[]): TensorSignature | undefined {
	for (const name of names) {
		const hit = list.find((s) => s.name === name);
		if (hit) return hit;
	}
	return undefined;
}

export function describeSignatures(list: readonly TensorSignature[]): string {
	return list.map((s) => `${s.name} ${s.type} [${s.dims.map((d) => d ?? '?').join(', ')}]`).join('; ');
}
