'use strict';
/**
 * The job store in n8n's built-in Data Tables (n8n 1.113 and later, 2.x; no extra service): the
 * default. One row per job in the data table "feature_extraction_jobs", made when n8n starts or
 * the workflow is published. For a single n8n process: when n8n starts, the jobs it was running
 * when it stopped are marked failed. Queue mode (workers that can die on their own) wants the
 * PostgreSQL store, which checks the jobs' executions.
 */
const { nodeId } = require('../nodeId');

const TABLE = 'feature_extraction_jobs';
const COLUMNS = [
	['job_id', 'string'],
	['task', 'string'],
	['batched', 'boolean'],
	['model', 'string'],
	['status', 'string'],
	['execution_id', 'string'],
	['result', 'string'],
	['error', 'string'],
	['finished_at', 'date'],
];
const TYPE_OF = Object.fromEntries(COLUMNS);

const table = { __rl: true, mode: 'name', value: TABLE };

function node(name, position, parameters, extra = {}) {
	return { id: nodeId(name), name, type: 'n8n-nodes-base.dataTable', typeVersion: 1.1, position, parameters: { resource: 'row', dataTableId: table, ...parameters }, ...extra };
}

/** The resource mapper of an insert or update: `values` are expressions (or literals) per column. */
function columns(values) {
	return {
		mappingMode: 'defineBelow',
		value: values,
		matchingColumns: [],
		schema: Object.keys(values).map((id) => ({ id, displayName: id, required: false, defaultMatch: false, display: true, type: TYPE_OF[id], canBeUsedToMatch: true })),
		attemptToConvertTypes: false,
		convertFieldsToString: false,
	};
}

function where(conditions) {
	return { matchType: 'allConditions', filters: { conditions: conditions.map(([keyName, condition, keyValue]) => ({ keyName, condition, keyValue })) } };
}

/** Only a job still in progress changes state: a late update never undoes a finished one. */
const unfinished = [
	['status', 'neq', 'complete'],
	['status', 'neq', 'failed'],
];

module.exports = {
	title: 'Data table store',
	where: `the n8n data table \`${TABLE}\``,
	createJob: (name, position, job) =>
		node(name, position, {
			operation: 'insert',
			columns: columns({ job_id: `={{ ${job}.id }}`, task: `={{ ${job}.task }}`, batched: `={{ ${job}.batched }}`, model: `={{ ${job}.model }}`, status: 'starting', execution_id: '={{ $execution.id }}' }),
			options: {},
		}),
	findJob: (name, position, jobId) =>
		node(name, position, { operation: 'get', ...where([['job_id', 'eq', `={{ ${jobId} }}`]]), returnAll: false, limit: 1 }, { alwaysOutputData: true }),
	startJob: (name, position, jobId) =>
		node(name, position, {
			operation: 'update',
			...where([['job_id', 'eq', `={{ ${jobId} }}`], ...unfinished]),
			columns: columns({ status: 'running', execution_id: '={{ $execution.id }}' }),
			options: {},
		}),
	finishJob: (name, position) =>
		node(name, position, {
			operation: 'update',
			...where([['job_id', 'eq', '={{ $json.job.id }}'], ...unfinished]),
			columns: columns({
				status: '={{ $json.status }}',
				result: "={{ $json.status === 'complete' ? JSON.stringify($json.result) : '' }}",
				error: "={{ $json.error || '' }}",
				finished_at: '={{ $now.toISO() }}',
			}),
			options: {},
		}),
	failJobOfExecution: (name, position) =>
		node(name, position, {
			operation: 'update',
			...where([['execution_id', 'eq', '={{ $json.execution.id }}'], ...unfinished]),
			columns: columns({
				status: 'failed',
				error: "={{ 'the job\\'s execution ended without a result (' + (($json.execution.error || {}).message || 'it failed') + '); post it again' }}",
				finished_at: '={{ $now.toISO() }}',
			}),
			options: {},
		}),
	everyMinute: (position) => {
		const purge = node('Forget finished jobs', position, { operation: 'deleteRows', ...where([['finished_at', 'lt', '={{ $now.minus({ minutes: $json.retentionMinutes }).toISO() }}']]), options: {} });
		return { first: purge.name, nodes: [purge], links: [] };
	},
	onStart: ([x, y], trigger) => {
		const createTable = node(
			'Create job table',
			[x, y],
			{ resource: 'table', operation: 'create', tableName: TABLE, columns: { column: COLUMNS.map(([name, type]) => ({ name, type })) }, options: { createIfNotExists: true } },
		);
		delete createTable.parameters.dataTableId;
			const restarted = {
			id: nodeId('Instance started?'),
			name: 'Instance started?',
			type: 'n8n-nodes-base.if',
			typeVersion: 2.2,
			position: [x + 260, y],
			parameters: {
				conditions: {
					options: { caseSensitive: true, leftValue: '', typeValidation: 'loose', version: 2 },
					conditions: [{ id: nodeId('restarted-condition'), leftValue: `={{ $('${trigger}').first().json.event }}`, rightValue: 'Instance started', operator: { type: 'string', operation: 'equals' } }],
					combinator: 'and',
				},
				options: {},
			},
		};
		// Jobs made before this start whose execution was still going: a single n8n process lost them.
		const failInterrupted = node('Fail interrupted jobs', [x + 520, y], {
			operation: 'update',
			...where([...unfinished, ['createdAt', 'lt', `={{ $('${trigger}').first().json.timestamp }}`]]),
			columns: columns({ status: 'failed', error: "the job's execution ended without a result (n8n stopped while it ran); post it again", finished_at: '={{ $now.toISO() }}' }),
			options: {},
		});
		return {
			first: createTable.name,
			nodes: [createTable, restarted, failInterrupted],
			links: [
				[createTable.name, restarted.name, 0],
				[restarted.name, failInterrupted.name, 0],
			],
		};
	},
	upkeepNote: `### Upkeep (data table store)
**Every minute**: jobs finished more than \`retentionMinutes\` ago are deleted. **On n8n start**: the table is made if missing, and jobs that were still starting or running when n8n stopped are marked failed (their executions died with the process). **On failed execution** (this workflow is its own error workflow): the job of an execution that failed or was stopped is marked failed. For queue mode, use the PostgreSQL store: a worker can die while the main process runs on.`,
};
