'use strict';
/**
 * The job store in PostgreSQL, for queue mode: the table "feature_extraction_jobs" in n8n's own
 * database (the credential "Postgres" must point at it), so that once a minute the jobs whose
 * execution is no longer running (n8n restarted, a worker killed) are found in n8n's
 * execution_entity table and marked failed. n8n marks the executions of a dead worker as crashed
 * within N8N_EXECUTIONS_QUEUE_RECOVERY_INTERVAL minutes (3 by default).
 */
const { nodeId } = require('../nodeId');

const TABLE = 'feature_extraction_jobs';
const CREDENTIALS = { postgres: { id: 'ZsicPostgres0001', name: 'Postgres' } };
const UNFINISHED = "status IN ('starting', 'running')";

function query(name, position, sql, params, extra = {}) {
	return {
		id: nodeId(name),
		name,
		type: 'n8n-nodes-base.postgres',
		typeVersion: 2.6,
		position,
		parameters: { operation: 'executeQuery', query: sql, options: params ? { queryReplacement: `={{ [${params.join(', ')}] }}` } : {} },
		credentials: CREDENTIALS,
		...extra,
	};
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS ${TABLE} (
  job_id text PRIMARY KEY,
  task text NOT NULL,
  batched boolean NOT NULL,
  model text NOT NULL,
  status text NOT NULL,
  execution_id text,
  result jsonb,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX IF NOT EXISTS ${TABLE}_unfinished ON ${TABLE} (status) WHERE ${UNFINISHED};
CREATE INDEX IF NOT EXISTS ${TABLE}_finished_at ON ${TABLE} (finished_at);`;

module.exports = {
	title: 'PostgreSQL store',
	where: `the PostgreSQL table \`${TABLE}\` in n8n's own database (credential "Postgres")`,
	createJob: (name, position, job) =>
		query(name, position, `INSERT INTO ${TABLE} (job_id, task, batched, model, status, execution_id) VALUES ($1, $2, $3, $4, 'starting', $5);`, [`${job}.id`, `${job}.task`, `${job}.batched`, `${job}.model`, 'String($execution.id)']),
	findJob: (name, position, jobId) =>
		query(name, position, `SELECT job_id, task, batched, status, result::text AS result, error FROM ${TABLE} WHERE job_id = $1;`, [jobId], { alwaysOutputData: true }),
	startJob: (name, position, jobId) =>
		query(name, position, `UPDATE ${TABLE} SET status = 'running', execution_id = $2 WHERE job_id = $1 AND ${UNFINISHED};`, [jobId, 'String($execution.id)']),
	finishJob: (name, position) =>
		query(
			name,
			position,
			`UPDATE ${TABLE} SET status = $2, result = NULLIF($3, '')::jsonb, error = NULLIF($4, ''), finished_at = now() WHERE job_id = $1 AND ${UNFINISHED};`,
			['$json.job.id', '$json.status', "$json.status === 'complete' ? JSON.stringify($json.result) : ''", "$json.error || ''"],
		),
	failJobOfExecution: (name, position) =>
		query(
			name,
			position,
			`UPDATE ${TABLE} SET status = 'failed', error = $2, finished_at = now() WHERE execution_id = $1 AND ${UNFINISHED};`,
			['String($json.execution.id)', "'the job\\'s execution ended without a result (' + (($json.execution.error || {}).message || 'it failed') + '); post it again'"],
		),
	everyMinute: (position) => {
		const upkeep = query(
			'Forget finished jobs, fail lost ones',
			position,
			`DELETE FROM ${TABLE} WHERE finished_at < now() - make_interval(mins => $1);
-- A job whose execution is no longer new, running or waiting in n8n's own table will never finish.
UPDATE ${TABLE} j SET status = 'failed', finished_at = now(),
  error = 'the job''s execution ended without a result (n8n or the worker running it stopped); post it again'
WHERE j.${UNFINISHED}
  AND ((j.execution_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM execution_entity e WHERE e.id::text = j.execution_id AND e.status IN ('new', 'running', 'waiting')))
    OR (j.execution_id IS NULL AND j.created_at < now() - interval '2 minutes'));`,
			['$json.retentionMinutes'],
		);
		return { first: upkeep.name, nodes: [upkeep], links: [] };
	},
	onStart: (position) => {
		const create = query('Create job table', position, CREATE_TABLE);
		return { first: create.name, nodes: [create], links: [] };
	},
	upkeepNote: `### Upkeep (PostgreSQL store)
**Every minute**: jobs finished more than \`retentionMinutes\` ago are deleted, and jobs whose execution is no longer running in n8n (n8n restarted, a queue-mode worker stopped) are marked failed, so a client polling them sees \`failed\` and posts again. **On n8n start**: the table is made if missing. **On failed execution** (this workflow is its own error workflow): the job of an execution that failed or was stopped is marked failed. The table must be in n8n's own database (the check reads n8n's \`execution_entity\`; with \`DB_TABLE_PREFIX\` set, prefix that name in the query).`,
};
