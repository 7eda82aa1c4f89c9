import { escapeXml, niceStep } from './renderChart';
import type { BenchReport } from './reportTypes';

const WIDTH = 960;
const HEIGHT = 420;
const PLOT = { left: 60, right: 290, top: 40, bottom: 60 };

const BARS = [
	{ key: 'accurate', label: 'this package, accurate (default)', colour: '#1f77b4' },
	{ key: 'reference', label: 'this package, reference (bit-exact)', colour: '#ff7f0e' },
	{ key: 'fast', label: 'this package, fast', colour: '#2ca02c' },
	{ key: 'peer', label: 'transformers.js pipeline', colour: '#d62728' },
] as const;

/**
 * images/s per image set at the default batch, one bar per resampling mode and transformers.js,
 * with the run spread as a whisker and the default mode's ceiling (both stages sharing the
 * machine) as a dashed tick.
 */
export function renderHeadlineChart(report: BenchReport): string {
	const sets = [...new Set(report.headline.map((h) => h.set))];
	const value = (set: string, key: string): { median: number; min: number; max: number } | undefined => {
		if (key === 'peer') {
			const h = report.headline.find((e) => e.set === set && e.peerImagesPerSecond !== undefined);
			const row = report.rows.find((r) => r.group === 'peer' && r.set === set && r.batch === 16 && r.classes === 10);
			return h && row ? row.imagesPerSecond : undefined;
		}
		return report.headline.find((e) => e.set === set && e.mode === key)?.imagesPerSecond;
	};
	const ceilings = sets.map((set) => report.headline.find((e) => e.set === set && e.mode === 'accurate')?.ceiling?.combined);
	const max = Math.max(1, ...sets.flatMap((set) => BARS.map((b) => value(set, b.key)?.max ?? 0)), ...ceilings.map((c) => c ?? 0));
	const step = niceStep(max * 1.05);
	const top = Math.ceil((max * 1.05) / step) * step;
	const plotWidth = WIDTH - PLOT.left - PLOT.right;
	const plotHeight = HEIGHT - PLOT.top - PLOT.bottom;
	const y = (v: number): number => PLOT.top + plotHeight * (1 - v / top);
	const group = plotWidth / Math.max(1, sets.length);
	const bar = (group * 0.8) / BARS.length;
	const parts: string[] = [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
		`<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
		`<text x="${PLOT.left}" y="22" font-size="14" font-weight="bold">${escapeXml(`CLIP ViT-B/32 zero-shot at batch 16: images/s by image set (${report.machine.cpus} cores)`)}</text>`,
	];
	for (let v = 0; v <= top + 1e-9; v += step) {
		parts.push(`<line x1="${PLOT.left}" x2="${PLOT.left + plotWidth}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e0e0e0"/>`);
		parts.push(`<text x="${PLOT.left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${Number(v.toPrecision(6))}</text>`);
	}
	sets.forEach((set, g) => {
		const x0 = PLOT.left + g * group + group * 0.1;
		BARS.forEach((b, i) => {
			const v = value(set, b.key);
			if (!v) return;
			const x = x0 + i * bar;
			parts.push(`<rect x="${x.toFixed(1)}" y="${y(v.median).toFixed(1)}" width="${(bar - 2).toFixed(1)}" height="${(y(0) - y(v.median)).toFixed(1)}" fill="${b.colour}"/>`);
			const cx = (x + (bar - 2) / 2).toFixed(1);
			parts.push(`<line x1="${cx}" x2="${cx}" y1="${y(v.min).toFixed(1)}" y2="${y(v.max).toFixed(1)}" stroke="black"/>`);
			parts.push(`<text x="${cx}" y="${(y(v.max) - 4).toFixed(1)}" text-anchor="middle" font-size="10">${v.median.toFixed(1)}</text>`);
		});
		const ceiling = ceilings[g];
		if (ceiling !== undefined) {
			parts.push(`<line x1="${x0.toFixed(1)}" x2="${(x0 + group * 0.8).toFixed(1)}" y1="${y(ceiling).toFixed(1)}" y2="${y(ceiling).toFixed(1)}" stroke="#1f77b4" stroke-dasharray="6 4" stroke-width="2"/>`);
		}
		parts.push(`<text x="${(x0 + group * 0.4).toFixed(1)}" y="${HEIGHT - PLOT.bottom + 18}" text-anchor="middle">${escapeXml(set)}</text>`);
	});
	parts.push(`<text transform="translate(16 ${PLOT.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">images/s</text>`);
	parts.push(`<line x1="${PLOT.left}" x2="${PLOT.left}" y1="${PLOT.top}" y2="${PLOT.top + plotHeight}" stroke="black"/>`);
	parts.push(`<line x1="${PLOT.left}" x2="${PLOT.left + plotWidth}" y1="${y(0)}" y2="${y(0)}" stroke="black"/>`);
	const legend = [...BARS.map((b) => ({ label: b.label, colour: b.colour, dashed: false })), { label: 'ceiling, accurate (both stages)', colour: '#1f77b4', dashed: true }];
	legend.forEach((l, i) => {
		const ly = PLOT.top + 10 + i * 22;
		const lx = WIDTH - PLOT.right + 12;
		parts.push(l.dashed ? `<line x1="${lx}" x2="${lx + 18}" y1="${ly}" y2="${ly}" stroke="${l.colour}" stroke-width="2" stroke-dasharray="6 4"/>` : `<rect x="${lx}" y="${ly - 6}" width="18" height="12" fill="${l.colour}"/>`);
		parts.push(`<text x="${lx + 24}" y="${ly + 4}" font-size="11">${escapeXml(l.label)}</text>`);
	});
	parts.push(`<text x="${PLOT.left}" y="${HEIGHT - 14}" font-size="11">whiskers: min–max over rounds and passes</text>`);
	parts.push('</svg>');
	return `${parts.join('\n')}\n`;
}
