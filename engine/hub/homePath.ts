import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** Expands a leading `~` the way a shell would; n8n parameters and env vars get no shell. */
export function expandHomePath(value: string, home: string = homedir()): string {
	if (value === '~') return home;
	if (value.startsWith('~/') || value.startsWith('~\\')) return join(home, value.slice(2));
	return value;
}

/** Absolute path from a user-supplied one, relative ones taken from the working directory. */
export function toAbsolutePath(value: string, home: string = homedir()): string {
	const expanded = expandHomePath(value, home);
	return isAbsolute(expanded) ? resolve(expanded) : resolve(process.cwd(), expanded);
}
