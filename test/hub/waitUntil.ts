/** Polls `condition` (every 10 ms) until it holds; rejects naming `what` after `timeoutMs`. */
export function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, what = 'a condition'): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	return new Promise((resolve, reject) => {
		const poll = async (): Promise<void> => {
			if (await condition()) resolve();
			else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
			else setTimeout(() => void poll(), 10);
		};
		void poll();
	});
}
