import { formatBytes, formatRate } from '../engine/hub/byteFormat';
import type { DownloadProgress } from '../engine/hub/downloadProgress';

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

/** `[#######.....]  42%  148 MB / 352 MB  12.3 MB/s  onnx/vision_model.onnx`, cut to the width. */
export function renderProgressLine(progress: DownloadProgress, columns: number): string {
	const total = progress.totalBytes;
	const fraction = total !== undefined && total > 0 ? Math.min(1, progress.receivedBytes / total) : undefined;
	const amounts = total !== undefined ? `${formatBytes(progress.receivedBytes)} / ${formatBytes(total)}` : formatBytes(progress.receivedBytes);
	const percent = fraction !== undefined ? `${String(Math.floor(fraction * 100)).padStart(3)}%` : '   ?';
	const tail = `${percent}  ${amounts}  ${formatRate(progress.bytesPerSecond)}  ${progress.file}`;
	const barWidth = Math.max(10, Math.min(30, columns - tail.length - 4));
	const filled = fraction !== undefined ? Math.round(fraction * barWidth) : 0;
	const line = `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${tail}`;
	return line.length > columns - 1 ? `${line.slice(0, columns - 2)}…` : line;
}
