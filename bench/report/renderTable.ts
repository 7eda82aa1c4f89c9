import type { BenchReport, FidelityEntry, HeadlineEntry, ReportRow } from './reportTypes';
import type { Summary } from './stats';

const fixed = (v: number | undefined, digits = 1): string => (v === undefined || !Number.isFinite(v) ? '' : v.toFixed(digits));
const spread = (s: Summary | undefined, digits = 1, unit = ''): string =>
	s && s.n > 0 ? `${s.median.toFixed(digits)}${unit}${s.n > 1 ? ` (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})` : ''}` : '';

const COLUMNS = ['scenario', 'images/s (min–max)', '× ceiling', 'ceiling img/s', 'paired ceiling img/s', '× transformers.js', 'peak RSS MB', 'load ms', 'first item ms', 'others CPU %'];

function cells(row: ReportRow): string[] {
	return [
		row.name,
		spread(row.imagesPerSecond),
		spread(row.vsCeiling, 2),
		fixed(row.ceiling?.combined),
		fixed(row.paired?.combined.median),
		spread(row.vsPeer, 2),
		fixed(row.peakRssMb, 0),
		fixed(row.loadMs, 0),
		fixed(row.firstItemMs, 0),
		fixed(row.othersCpuShare === undefined ? undefined : row.othersCpuShare * 100, 0),
	];
}

const HEADLINE_COLUMNS = ['images', 'resampling', 'images/s (min–max)', '× transformers.js', 'transformers.js img/s', '× ceiling (both stages)', '× slower ceiling', 'inference / preprocess ceiling img/s'];

function headlineCells(h: HeadlineEntry): string[] {
	return [
		h.set,
		h.mode === 'accurate' ? 'accurate (default)' : h.mode === 'reference' ? 'reference (bit-exact)' : h.mode,
		spread(h.imagesPerSecond),
		spread(h.vsPeer, 2),
		fixed(h.peerImagesPerSecond),
		spread(h.vsCeiling, 2),
		fixed(h.vsSlowerCeiling, 2),
		h.ceiling ? `${fixed(h.ceiling.inference)} / ${fixed(h.ceiling.preprocess)}` : '',
	];
}

const FIDELITY_COLUMNS = ['images', 'decode', 'pixel MAE median', 'pixel MAE max', 'ms per image (1 thread)'];

function fidelityCells(f: FidelityEntry): string[] {
	return [f.set, f.config, fixed(f.maeMedian, 4), fixed(f.maeMax, 4), fixed(f.msPerImage, 0)];
}

function sections(report: BenchReport): Array<{ title: string; lines: Array<[string, string]> }> {
	return [
		{
			title: '1000 classes vs 10 classes (text embeddings cached)',
			lines: report.classListOverhead.map((o) => [o.name, `${spread(o.overhead, 3)} slower; text inferences while measuring: ${o.textInferencesWhileMeasuring}`]),
		},
		{
			title: 'Probability agreement (max |Δp|, top-1 agreement)',
			lines: report.agreement.map((a) => [a.what, `${a.maxAbsDeltaP.toExponential(2)}${a.top1Agreement === undefined ? '' : `, top-1 ${(a.top1Agreement * 100).toFixed(0)}%`} (${a.images} images)`]),
		},
		{ title: 'Memory', lines: Object.entries(report.memory).map(([k, v]) => [k, k === 'growth' ? `${(v * 100).toFixed(1)}%` : v.toFixed(0)]) },
	];
}

function textTable(columns: string[], rows: string[][]): string[] {
	const table = [columns, ...rows];
	const widths = columns.map((_, c) => Math.max(...table.map((r) => r[c].length)));
	const line = (r: string[]): string => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
	return [line(table[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...table.slice(1).map(line)];
}

/** Fixed-width text, for the terminal. */
export function renderText(report: BenchReport): string {
	const out: string[] = [];
	if (report.headline.length > 0) out.push('Headline: default batch (16), 10 classes', ...textTable(HEADLINE_COLUMNS, report.headline.map(headlineCells)), '');
	out.push(...textTable(COLUMNS, report.rows.map(cells)));
	if (report.fidelity.length > 0) out.push('', 'Fidelity of the default mode against the reference mode, by DCT margin', ...textTable(FIDELITY_COLUMNS, report.fidelity.map(fidelityCells)));
	for (const section of sections(report)) {
		if (section.lines.length === 0) continue;
		out.push('', section.title);
		for (const [what, value] of section.lines) out.push(`  ${what}: ${value}`);
	}
	return out.join('\n');
}

/** The same as Markdown, for bench/results and the README. */
export function renderMarkdown(report: BenchReport): string {
	const row = (r: string[]): string => `| ${r.join(' | ')} |`;
	const out = [
		`# Benchmark results (${report.mode}, ${report.startedAt})`,
		'',
		Object.entries(report.machine).map(([k, v]) => `${k}: ${v}`).join(' · '),
		'',
		`${report.rounds} interleaved round(s); images/s is the median over rounds and passes (min–max in brackets); ratios are per round.`,
		'',
	];
	if (report.headline.length > 0) {
		out.push('## Headline: default batch (16), 10 classes', '', row(HEADLINE_COLUMNS), row(HEADLINE_COLUMNS.map((_, c) => (c < 2 ? '---' : '---:'))), ...report.headline.map((h) => row(headlineCells(h))), '');
	}
	if (report.fidelity.length > 0) {
		out.push('## Fidelity of the default mode against the reference mode, by DCT margin', '', 'Mean absolute difference of the model input (normalized units) and one thread\'s decode + resize time per image.', '', row(FIDELITY_COLUMNS), row(FIDELITY_COLUMNS.map((_, c) => (c < 2 ? '---' : '---:'))), ...report.fidelity.map((f) => row(fidelityCells(f))), '');
	}
	out.push(
		'## Every run',
		'',
		row(COLUMNS),
		row(COLUMNS.map((_, c) => (c === 0 ? '---' : '---:'))),
		...report.rows.map((r) => row(cells(r))),
	);
	for (const section of sections(report)) {
		if (section.lines.length === 0) continue;
		out.push('', `## ${section.title}`, '');
		for (const [what, value] of section.lines) out.push(`- ${what}: ${value}`);
	}
	return `${out.join('\n')}\n`;
}
