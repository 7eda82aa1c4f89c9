/** Human-readable sizes for logs, the CLI and the node's descriptions (decimal units, like the Hub's UI). */
export function formatBytes(bytes: number): string {
	if (!Number.isFinite(bytes) || bytes < 0) return '? B';
	if (bytes < 1000) return `${Math.round(bytes)} B`;
	const units = ['kB', 'MB', 'GB', 'TB'];
	let value = bytes / 1000;
	let unit = 0;
	while (value >= 1000 && unit < units.length - 1) {
		value /= 1000;
		unit++;
	}
	return `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

export function formatRate(bytesPerSecond: number): string {
	// A trickle of one byte every few seconds is not "0 B/s": that reads as a stall.
	if (bytesPerSecond > 0 && bytesPerSecond < 1) return '< 1 B/s';
	return `${formatBytes(bytesPerSecond)}/s`;
}
