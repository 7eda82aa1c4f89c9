import { formatBytes, formatRate, type DownloadProgress } from '../engine/hub';

const CLEAR_LINE = '\r\x1b[2K';

/**
 * A single redrawn line on a terminal. Log messages are printed above it, so the bar stays
 * the last line and scrollback keeps the messages.
 */
export class DownloadProgressBar {
	private readonly write: (text: string) => unknown;
	private readonly columns: number;
	private drawn = false;

	constructor(write: (text: string) => unknown, columns = 80) {
		this.write = write;
		this.columns = Math.max(40, columns);
	}

	update(progress: DownloadProgress): void {
		this.write(`${CLEAR_LINE}${renderProgressLine(progress, this.columns)}`);
		this.drawn = true;
	}

	message(text: string): void {
		this.write(`${this.drawn ? CLEAR_LINE : ''}${text}\n`);
		this.drawn = false;
	}

	finish(): void {
		if (this.drawn) this.write('\n');
		this.drawn = false;
	}
}

/**
 * `[#######.....]  42%  148 MB / 352 MB  12.3 MB/s  ETA 0:17  onnx/vision_model.onnx`, cut to the
 * width; `TOO SLOW` instead of the ETA while the transfer is below the throughput floor.
 */
export function renderProgressLine(progress: DownloadProgress, columns: number): string {
	const total = progress.totalBytes;
	const fraction = total !== undefined && total > 0 ? Math.min(1, progress.receivedBytes / total) : undefined;
	const amounts = total !== undefined ? `${formatBytes(progress.receivedBytes)} / ${formatBytes(total)}` : formatBytes(progress.receivedBytes);
	const percent = fraction !== undefined ? `${String(Math.floor(fraction * 100)).padStart(3)}%` : '   ?';
	const eta = progress.crawling ? 'TOO SLOW' : `ETA ${formatClock(progress.etaSeconds)}`;
	const tail = `${percent}  ${amounts}  ${formatRate(progress.bytesPerSecond)}  ${eta}  ${progress.file}`;
	const barWidth = Math.max(10, Math.min(30, columns - tail.length - 4));
	const filled = fraction !== undefined ? Math.round(fraction * barWidth) : 0;
	const line = `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${tail}`;
	return line.length > columns - 1 ? `${line.slice(0, columns - 2)}…` : line;
}

/** `0:17`, `12:05`, `1:02:03`; `--:--` when unknown. */
export function formatClock(seconds: number | undefined): string {
	if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '--:--';
	const whole = Math.ceil(seconds);
	const h = Math.floor(whole / 3600);
	const m = Math.floor((whole % 3600) / 60);
	const s = String(whole % 60).padStart(2, '0');
	return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
