/** What a subcommand needs from the process, injected so commands can be tested without one. */
export interface CommandIO {
	stdout: { write(text: string): unknown };
	stderr: { write(text: string): unknown };
	/** stderr is a terminal: draw a progress bar instead of printing progress lines. */
	isTTY: boolean;
	/** Terminal width; 80 when unknown. */
	columns?: number;
	/** Cancels a running download (e.g. on SIGINT); the partial file is kept for resuming. */
	signal?: AbortSignal;
}
