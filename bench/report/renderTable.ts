import type { BenchReport, ReportRow } from './reportTypes';
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

/** Fixed-width text, for the terminal. */
export function renderText(report: BenchReport): string {
	const table = [COLUMNS, ...report.rows.map(cells)];
	const widths = COLUMNS.map((_, c) => Math.max(...table.map((r) => r[c].length)));
	const line = (r: string[]): string => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
	const out = [line(table[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...table.slice(1).map(line)];
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
		row(COLUMNS),
		row(COLUMNS.map((_, c) => (c === 0 ? '---' : '---:'))),
		...report.rows.map((r) => row(cells(r))),
	];
	for (const section of sections(report)) {
		if (section.lines.length === 0) continue;
		out.push('', `## ${section.title}`, '');
		for (const [what, value] of section.lines) out.push(`- ${what}: ${value}`);
	}
	return `${out.join('\n')}\n`;
}
