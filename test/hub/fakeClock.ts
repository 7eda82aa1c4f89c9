/** A clock the test moves by hand, for code that takes a `now` option. */
export function fakeClock(): { now: () => number; advance: (ms: number) => void } {
	let time = 1_000_000;
	return { now: () => time, advance: (ms) => (time += ms) };
}
