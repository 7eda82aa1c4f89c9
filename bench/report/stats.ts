/** A median with the spread it came from. */
export interface Summary {
	readonly median: number;
	readonly min: number;
	readonly max: number;
	readonly n: number;
}

export function median(values: readonly number[]): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function summarize(values: readonly number[]): Summary {
	const finite = values.filter((v) => Number.isFinite(v));
	return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite), n: finite.length };
}

/** Largest |a - b| over two lists of probability rows (as many rows as both have). */
export function maxAbsDelta(a: readonly (readonly number[])[] | undefined, b: readonly (readonly number[])[] | undefined): number | undefined {
	if (!a || !b) return undefined;
	let max = 0;
	for (let i = 0; i < Math.min(a.length, b.length); i++) for (let c = 0; c < a[i].length; c++) max = Math.max(max, Math.abs(a[i][c] - b[i][c]));
	return max;
}

/** Share of rows whose arg-max agrees. */
export function top1Agreement(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number {
	const argmax = (row: readonly number[]): number => row.reduce((best, v, i) => (v > row[best] ? i : best), 0);
	const n = Math.min(a.length, b.length);
	let same = 0;
	for (let i = 0; i < n; i++) if (argmax(a[i]) === argmax(b[i])) same++;
	return n > 0 ? same / n : Number.NaN;
}
