/**
 * Variant names as transformers.js calls them (`dtype`), mapped to the file-name suffix of
 * Hugging Face ONNX exports (`onnx/vision_model_quantized.onnx` is `q8`).
 */
const DTYPE_SUFFIXES: Record<string, string> = {
	fp32: '',
	default: '',
	fp16: '_fp16',
	q8: '_quantized',
	quantized: '_quantized',
	int8: '_int8',
	uint8: '_uint8',
	q4: '_q4',
	q4f16: '_q4f16',
	bnb4: '_bnb4',
};

/** File-name suffix for a variant; an unknown name is taken as a suffix as is (`foo` → `_foo`). */
export function variantSuffix(variant: string): string {
	const key = variant.trim().toLowerCase();
	if (key === '') return '';
	return DTYPE_SUFFIXES[key] ?? `_${key}`;
}

/** The variant names a list of ONNX base names (`vision_model_fp16`, `model`, ...) offers. */
export function variantsIn(baseNames: readonly string[], towerBase: string): string[] {
	const found = new Set<string>();
	for (const name of baseNames) {
		if (name === towerBase) found.add('fp32');
		else if (name.startsWith(`${towerBase}_`)) {
			const suffix = name.slice(towerBase.length);
			const named = Object.entries(DTYPE_SUFFIXES).find(([key, s]) => s === suffix && key !== 'quantized');
			found.add(named ? named[0] : suffix.slice(1));
		}
	}
	return [...found].sort();
}
