import { performance } from 'node:perf_hooks';

export function nowMs(): number {
	return performance.now();
}

/** Peak resident set size of this process so far, in MB (Linux reports ru_maxrss in kB). */
export function peakRssMb(): number {
	return process.resourceUsage().maxRSS / 1024;
}

export function rssMb(): number {
	return process.memoryUsage.rss() / 2 ** 20;
}

/** Images per second of `count` images that took `ms`. */
export function rate(count: number, ms: number): number {
	return (count * 1000) / ms;
}

const NOUNS = [
	'cat', 'dog', 'car', 'person', 'bird', 'horse', 'tree', 'flower', 'house', 'beach', 'mountain', 'forest', 'boat', 'bicycle',
	'truck', 'bus', 'train', 'plane', 'cow', 'sheep', 'fish', 'man', 'woman', 'child', 'baby', 'building', 'city', 'street',
	'road', 'sky', 'water', 'sea', 'river', 'snow', 'food', 'pizza', 'apple', 'banana', 'cake', 'coffee', 'kitten', 'puppy',
	'animal', 'vehicle', 'diagram', 'chart', 'text', 'logo', 'screenshot', 'portrait', 'landscape', 'selfie', 'face', 'hand',
	'computer', 'phone', 'screen', 'book', 'chair', 'table', 'room', 'kitchen', 'bed', 'window', 'door', 'sunset', 'toy', 'tattoo',
];
const ADJECTIVES = ['red', 'green', 'blue', 'black', 'white', 'yellow', 'orange', 'brown', 'gray', 'colorful', 'small', 'big', 'old', 'new', 'cute', 'dark', 'bright', 'blurry'];

/** `count` distinct, realistic class names (nouns, then adjective + noun): the same list in every pipeline. */
export function classNames(count: number): string[] {
	const names = [...NOUNS];
	for (const adjective of ADJECTIVES) for (const noun of NOUNS) names.push(`${adjective} ${noun}`);
	if (count > names.length) throw new Error(`at most ${names.length} class names`);
	return names.slice(0, count);
}

/** Prompt template of every pipeline in the benchmark (the engine's default). */
export const TEMPLATE = 'a photo of a {}.';

/** How many images' probabilities a scenario reports for agreement checks (10-class list). */
export const AGREEMENT_IMAGES = 16;
