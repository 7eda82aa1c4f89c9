/**
 * What the e2e suites that need a PostgreSQL server share: the skip (an error under CI, where
 * .ci/run installs it) and the few `pg` client calls they use, from n8n's own copy of the package
 * (this repository has none).
 */
import path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const server = require('./n8nServer') as typeof import('./n8nServer');

export interface PgClient {
	connect(): Promise<void>;
	query<R>(sql: string, values?: unknown[]): Promise<{ rows: R[] }>;
	end(): Promise<void>;
}
export type PgModule = { Client: new (config: { host: string; port: number; user: string; database: string }) => PgClient };

/** `describe` when PostgreSQL's server binaries are here, else `describe.skip` with a note naming the suite. */
export function describeWithPostgres(suite: string): jest.Describe {
	const available = server.postgresBinDir() !== null;
	if (!available && process.env.CI) throw new Error('postgresql missing: .ci/run installs it (apt-get install -y postgresql)');
	if (!available) process.stderr.write(`${suite} e2e skipped: PostgreSQL server binaries not found (apt-get install -y postgresql)\n`);
	return available ? describe : describe.skip;
}

/** The `pg` package n8n ships. */
export function n8nPg(n8nDir: string): PgModule {
	return require(path.join(n8nDir, 'node_modules', 'pg')) as PgModule; // eslint-disable-line @typescript-eslint/no-require-imports
}
