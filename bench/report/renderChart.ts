import { BATCH_SIZES } from '../plan/benchPlan';
import type { BenchReport, ReportRow } from './reportTypes';

interface Series {
	readonly label: string;
	readonly colour: string;
	readonly dashed: boolean;
	readonly points: Array<[number, number]>;
}

const WIDTH = 800;
const HEIGHT = 420;
const PLOT = { left: 60, right: 270, top: 40, bottom: 50 };

export function escapeXml(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A round number of images/s for the axis top and step. */
export function niceStep(max: number): number {
	const raw = max / 5;
	const magnitude = 10 ** Math.floor(Math.log10(raw));
	return [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) as number;
}

function series(report: BenchReport, set: string): Series[] {
	const pick = (predicate: (row: ReportRow) => boolean, value: (row: ReportRow) => number | undefined): Array<[number, number]> =>
		BATCH_SIZES.flatMap((batch) => {
			const row = report.rows.find((r) => r.batch === batch && predicate(r));
			const v = row ? value(row) : undefined;
			return v === undefined || !Number.isFinite(v) ? [] : [[batch, v] as [number, number]];
		});
	const engine = (mode: string, classes: number) => (r: ReportRow): boolean =>
		r.group === 'engine' && r.set === set && r.mode === mode && r.classes === classes && r.variant === 'fp32' && r.layout === 'hf' && r.model === 'vit-b-32' && !r.setting;
	const inferenceCeiling = BATCH_SIZES.flatMap((batch) => {
		const row = report.rows.find((r) => r.group === 'inference-ceiling' && r.variant === 'fp32' && r.batch === batch);
		return row ? [[batch, row.imagesPerSecond.median] as [number, number]] : [];
	});
	return [
		{ label: 'onnxruntime alone', colour: '#7f7f7f', dashed: true, points: inferenceCeiling },
		{ label: 'ceiling, accurate preprocessing', colour: '#1f77b4', dashed: true, points: pick(engine('accurate', 10), (r) => r.ceiling?.combined) },
		{ label: 'this package, accurate (default), 10 classes', colour: '#1f77b4', dashed: false, points: pick(engine('accurate', 10), (r) => r.imagesPerSecond.median) },
		{ label: 'this package, accurate, 1000 classes', colour: '#9467bd', dashed: false, points: pick(engine('accurate', 1000), (r) => r.imagesPerSecond.median) },
		{ label: 'this package, reference, 10 classes', colour: '#ff7f0e', dashed: false, points: pick(engine('reference', 10), (r) => r.imagesPerSecond.median) },
		{ label: 'this package, fast, 10 classes', colour: '#2ca02c', dashed: false, points: pick(engine('fast', 10), (r) => r.imagesPerSecond.median) },
		{ label: 'transformers.js pipeline', colour: '#d62728', dashed: false, points: pick((r) => r.group === 'peer' && r.set === set && r.classes === 10, (r) => r.imagesPerSecond.median) },
	].filter((s) => s.points.length > 0);
}

/** images/s against batch size for one image set, as a standalone SVG (no fonts or scripts needed). */
export function renderChart(report: BenchReport, set = 'photo-1mp'): string {
	const all = series(report, set);
	const max = Math.max(1, ...all.flatMap((s) => s.points.map((p) => p[1])));
	const step = niceStep(max * 1.05);
	const top = Math.ceil((max * 1.05) / step) * step;
	const plotWidth = WIDTH - PLOT.left - PLOT.right;
	const plotHeight = HEIGHT - PLOT.top - PLOT.bottom;
	// Batch sizes are evenly spaced: they are settings, not a continuous quantity.
	const x = (batch: number): number => PLOT.left + (BATCH_SIZES.indexOf(batch as (typeof BATCH_SIZES)[number]) / (BATCH_SIZES.length - 1)) * plotWidth;
	const y = (value: number): number => PLOT.top + plotHeight * (1 - value / top);
	const parts: string[] = [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
		`<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
		`<text x="${PLOT.left}" y="22" font-size="14" font-weight="bold">${escapeXml(`CLIP ViT-B/32 zero-shot, ${set} images: images/s by batch size (${report.machine.cpus} cores)`)}</text>`,
	];
	for (let v = 0; v <= top + 1e-9; v += step) {
		parts.push(`<line x1="${PLOT.left}" x2="${PLOT.left + plotWidth}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e0e0e0"/>`);
		parts.push(`<text x="${PLOT.left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${Number(v.toPrecision(6))}</text>`);
	}
	for (const batch of BATCH_SIZES) parts.push(`<text x="${x(batch).toFixed(1)}" y="${HEIGHT - PLOT.bottom + 18}" text-anchor="middle">${batch}</text>`);
	parts.push(`<text x="${PLOT.left + plotWidth / 2}" y="${HEIGHT - 12}" text-anchor="middle">batch size</text>`);
	parts.push(`<text transform="translate(16 ${PLOT.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">images/s</text>`);
	parts.push(`<line x1="${PLOT.left}" x2="${PLOT.left}" y1="${PLOT.top}" y2="${PLOT.top + plotHeight}" stroke="black"/>`);
	parts.push(`<line x1="${PLOT.left}" x2="${PLOT.left + plotWidth}" y1="${PLOT.top + plotHeight}" y2="${PLOT.top + plotHeight}" stroke="black"/>`);
	all.forEach((s, i) => {
		const path = s.points.map(([b, v]) => `${x(b).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
		const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
		parts.push(`<polyline points="${path}" fill="none" stroke="${s.colour}" stroke-width="2"${dash}/>`);
		for (const [b, v] of s.points) parts.push(`<circle cx="${x(b).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${s.colour}"/>`);
		const ly = PLOT.top + 10 + i * 22;
		const lx = WIDTH - PLOT.right + 16;
		parts.push(`<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="${s.colour}" stroke-width="2"${dash}/>`);
		parts.push(`<text x="${lx + 30}" y="${ly + 4}">${escapeXml(s.label)}</text>`);
	});
	parts.push('</svg>');
	return `${parts.join('\n')}\n`;
}
