/**
 * The API bench's figures as text for the terminal and as markdown for bench/results, each set
 * against the issue's goals: batched jobs at ≥ 0.8× the node's own images/s, and POST → id in a
 * median < 100 ms (p95 < 500 ms) while 20 jobs are queued.
 */
import { median, p95, type Latencies, type Throughput } from './apiBenchScenarios';

export const THROUGHPUT_GOAL = 0.8;
export const ID_MEDIAN_GOAL_MS = 100;
export const ID_P95_GOAL_MS = 500;

export interface ModelFigures {
	readonly model: string;
	readonly description: string;
	/** dist/engine in plain Node (no n8n), same images and batch size, decode from files. */
	readonly engineImagesPerSecond: { readonly batched: number; readonly single: number };
	readonly nodeAloneBatched: readonly Throughput[];
	readonly nodeAloneSingle: readonly Throughput[];
	/** Keyed by `${batched|single}-${pollMs}-${clients}` (see apiKey). */
	readonly api: Readonly<Record<string, readonly Throughput[]>>;
	/** Largest |Δp| between the API's results and the node alone's for the same images. */
	readonly agreement: number;
}

export interface LatencyFigures {
	readonly label: string;
	readonly latencies: Latencies;
}

export interface ApiBenchReport {
	/** The API scenario the batched goal is judged on (apiKey). */
	readonly goalScenario: string;
	readonly startedAt: string;
	readonly durationSeconds: number;
	readonly uptimeStart: string;
	readonly uptimeEnd: string;
	readonly machine: Readonly<Record<string, string | number>>;
	readonly n8nVersion: string;
	readonly setup: Readonly<Record<string, string | number>>;
	readonly models: readonly ModelFigures[];
	readonly latency: readonly LatencyFigures[];
}

/** The key of an API scenario in ModelFigures.api. */
export function apiKey(kind: 'batched' | 'single', pollMs: number, clients: number): string {
	return `${kind}-${pollMs}-${clients}`;
}

function apiLabel(key: string): string {
	const [kind, pollMs, clients] = key.split('-');
	return `API ${kind === 'batched' ? 'batched jobs of 16' : 'single jobs'}, ${clients} client${clients === '1' ? '' : 's'}, polls every ${pollMs} ms`;
}

function imagesPerSecond(runs: readonly Throughput[], time: 'wall' | 'node' = 'wall'): number {
	const images = runs.reduce((n, r) => n + r.images, 0);
	const ms = runs.reduce((n, r) => n + (time === 'node' ? (r.nodeMs ?? Number.NaN) : r.wallMs), 0);
	return images / (ms / 1000);
}

function jobsPerSecond(runs: readonly Throughput[]): number {
	return runs.reduce((n, r) => n + r.jobs, 0) / (runs.reduce((n, r) => n + r.wallMs, 0) / 1000);
}

function perRound(runs: readonly Throughput[]): string {
	return runs.map((r) => (r.images / (r.wallMs / 1000)).toFixed(2)).join(' / ');
}

const f = (value: number, digits = 2): string => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const verdict = (ok: boolean): string => (ok ? 'meets the goal' : 'MISSES the goal');

interface Row {
	readonly what: string;
	readonly jobsPerSecond: string;
	readonly imagesPerSecond: string;
	readonly vsNode: string;
	readonly note: string;
}

function modelRows(m: ModelFigures): Row[] {
	const own = { batched: imagesPerSecond(m.nodeAloneBatched, 'node'), single: imagesPerSecond(m.nodeAloneSingle, 'node') };
	const rows: Row[] = [
		{ what: 'engine in plain Node, batches of 16', jobsPerSecond: '', imagesPerSecond: f(m.engineImagesPerSecond.batched), vsNode: f(m.engineImagesPerSecond.batched / own.batched), note: 'no n8n, images read from files' },
		{ what: "node alone, 16 images: the node's own time", jobsPerSecond: '', imagesPerSecond: f(own.batched), vsNode: '1.00', note: 'inside n8n, Classify only (the goal’s reference)' },
		{ what: 'node alone, 16 images: synchronous webhook', jobsPerSecond: f(jobsPerSecond(m.nodeAloneBatched)), imagesPerSecond: f(imagesPerSecond(m.nodeAloneBatched)), vsNode: f(imagesPerSecond(m.nodeAloneBatched) / own.batched), note: `one request at a time; rounds ${perRound(m.nodeAloneBatched)}` },
	];
	for (const [key, runs] of Object.entries(m.api).filter(([k]) => k.startsWith('batched'))) {
		const ips = imagesPerSecond(runs);
		rows.push({ what: apiLabel(key), jobsPerSecond: f(jobsPerSecond(runs)), imagesPerSecond: f(ips), vsNode: f(ips / own.batched), note: `${runs[0]?.jobs ?? 0} jobs/round, rounds ${perRound(runs)}, ${f(runs.reduce((n, r) => n + (r.pollsPerSecond ?? 0), 0) / runs.length, 1)} polls/s` });
	}
	rows.push(
		{ what: "node alone, 1 image: the node's own time", jobsPerSecond: '', imagesPerSecond: f(own.single), vsNode: '1.00', note: 'inside n8n, Classify only' },
		{ what: 'node alone, 1 image: synchronous webhook', jobsPerSecond: f(jobsPerSecond(m.nodeAloneSingle)), imagesPerSecond: f(imagesPerSecond(m.nodeAloneSingle)), vsNode: f(imagesPerSecond(m.nodeAloneSingle) / own.single), note: `one request at a time; rounds ${perRound(m.nodeAloneSingle)}` },
		{ what: 'engine in plain Node, 1 image per call', jobsPerSecond: '', imagesPerSecond: f(m.engineImagesPerSecond.single), vsNode: f(m.engineImagesPerSecond.single / own.single), note: 'no n8n' },
	);
	for (const [key, runs] of Object.entries(m.api).filter(([k]) => k.startsWith('single'))) {
		const ips = imagesPerSecond(runs);
		rows.push({ what: apiLabel(key), jobsPerSecond: f(jobsPerSecond(runs)), imagesPerSecond: f(ips), vsNode: f(ips / own.single), note: `${runs[0]?.jobs ?? 0} jobs/round, rounds ${perRound(runs)}, ${f(runs.reduce((n, r) => n + (r.pollsPerSecond ?? 0), 0) / runs.length, 1)} polls/s` });
	}
	return rows;
}

/** The batched goal: API batched jobs (the server's 100 ms polls, several clients) ÷ the node's own images/s. */
export function batchedRatio(m: ModelFigures, key: string): number {
	const runs = m.api[key] ?? [];
	return imagesPerSecond(runs) / imagesPerSecond(m.nodeAloneBatched, 'node');
}

function latencyLine(l: LatencyFigures): string[] {
	const { jobIdMs, trivialMs, trivialImageMs, queuedAtStart, queuedAtEnd, pollsPerSecond } = l.latencies;
	const queued = queuedAtStart === null ? 'no queue' : `jobs unfinished: ${queuedAtStart} when the probes started, ${queuedAtEnd} when they ended`;
	return [
		l.label,
		f(median(jobIdMs), 0),
		f(p95(jobIdMs), 0),
		f(median(trivialMs), 0),
		f(p95(trivialMs), 0),
		f(median(trivialImageMs), 0),
		f(p95(trivialImageMs), 0),
		`${queued}; ${f(pollsPerSecond, 1)} polls/s answered`,
	];
}

function table(header: string[], rows: string[][]): string {
	const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
	return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const LATENCY_HEADER = ['condition', 'POST→id median ms', 'p95', 'trivial webhook median', 'p95', 'trivial + 1 MP body median', 'p95', 'queue'];
const THROUGHPUT_HEADER = ['measured', 'jobs/s', 'images/s', '× node’s own', 'note'];

export function renderMarkdown(report: ApiBenchReport): string {
	const out: string[] = [];
	out.push(`# Feature-extraction API benchmark (\`npm run bench:api\`)`, '');
	out.push(`Measured ${report.startedAt} (${report.durationSeconds} s) in n8n ${report.n8nVersion} (main mode, data table job store) on ${report.machine.cpus} × ${report.machine.cpu}, ${report.machine.memoryGb} GB, Node ${report.machine.node} (the bench) — a machine shared with other work, so the figures are noisy.`);
	out.push(`Load (\`uptime\`) at the start: \`${report.uptimeStart}\`; at the end: \`${report.uptimeEnd}\`.`, '');
	out.push(`Setup: ${Object.entries(report.setup).map(([k, v]) => `${k} ${v}`).join('; ')}.`, '');
	out.push('**Goals (issue 19)**');
	for (const m of report.models) {
		const ratio = batchedRatio(m, report.goalScenario);
		out.push(`- ${m.model}: ${apiLabel(report.goalScenario)} at **${f(ratio)}×** the node's own images/s (goal ≥ ${THROUGHPUT_GOAL}×: ${verdict(ratio >= THROUGHPUT_GOAL)}); results agree with the node alone to ${m.agreement.toExponential(1)}.`);
	}
	for (const l of report.latency.filter((x) => x.latencies.queuedAtStart !== null)) {
		const med = median(l.latencies.jobIdMs);
		const p = p95(l.latencies.jobIdMs);
		out.push(`- ${l.label}: POST → id median **${f(med, 0)} ms**, p95 **${f(p, 0)} ms** (goal < ${ID_MEDIAN_GOAL_MS} / < ${ID_P95_GOAL_MS} ms: ${verdict(med < ID_MEDIAN_GOAL_MS && p < ID_P95_GOAL_MS)}).`);
	}
	out.push('');
	for (const m of report.models) {
		out.push(`## Throughput: ${m.model}`, '', m.description, '');
		out.push(table(THROUGHPUT_HEADER, modelRows(m).map((r) => [r.what, r.jobsPerSecond, r.imagesPerSecond, r.vsNode, r.note])), '');
	}
	out.push('## POST → id', '');
	out.push(table(LATENCY_HEADER, report.latency.map(latencyLine)), '');
	out.push(`Machine: ${Object.entries(report.machine).map(([k, v]) => `${k} ${v}`).join(', ')}.`, '');
	return out.join('\n');
}
