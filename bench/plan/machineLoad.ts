import { cpus } from 'node:os';

/** Busy and total CPU time of the whole machine so far, summed over cores, in ms. */
export interface CpuSnapshot {
	readonly busyMs: number;
	readonly totalMs: number;
}

export function cpuSnapshot(): CpuSnapshot {
	let busyMs = 0;
	let totalMs = 0;
	for (const { times } of cpus()) {
		const busy = times.user + times.nice + times.sys + times.irq;
		busyMs += busy;
		totalMs += busy + times.idle;
	}
	return { busyMs, totalMs };
}

/** Share of the machine's CPU capacity busy between two snapshots (0-1). */
export function busyShare(from: CpuSnapshot, to: CpuSnapshot): number {
	const total = to.totalMs - from.totalMs;
	return total > 0 ? (to.busyMs - from.busyMs) / total : 0;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the machine is mostly idle (others' processes, e.g. test suites on a shared box,
 * use less than `maxBusy` of it over one second), or `maxWaitMs` has passed. Returns the share
 * busy at the end, for the record.
 */
export async function waitForQuiet(maxBusy: number, maxWaitMs: number, log: (message: string) => void): Promise<number> {
	const deadline = Date.now() + maxWaitMs;
	let warned = false;
	for (;;) {
		const before = cpuSnapshot();
		await sleep(1000);
		const share = busyShare(before, cpuSnapshot());
		if (share <= maxBusy || Date.now() >= deadline) return share;
		if (!warned) {
			log(`  machine ${(share * 100).toFixed(0)}% busy with other work: waiting (up to ${Math.round(maxWaitMs / 1000)} s) ...`);
			warned = true;
		}
	}
}
