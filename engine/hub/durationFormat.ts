/** Human-readable durations for logs and errors: "0.5 s", "17 s", "2 min 5 s", "3 h 20 min". */
export function formatDuration(ms: number): string {
	if (!Number.isFinite(ms) || ms < 0) return '? s';
	const seconds = ms / 1000;
	if (seconds < 10) return `${Number(seconds.toFixed(1))} s`;
	if (seconds < 120) return `${Math.round(seconds)} s`;
	if (seconds < 3600) {
		const minutes = Math.floor(seconds / 60);
		const rest = Math.round(seconds - minutes * 60);
		return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
	}
	const hours = Math.floor(seconds / 3600);
	const minutes = Math.round((seconds - hours * 3600) / 60);
	return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
}
