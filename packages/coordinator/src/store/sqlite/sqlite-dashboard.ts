/**
 * @module
 * The dashboard's reads in SQLite: the grid's counters at one instant (hosts online by
 * platform, tasks by state from the jobs' own counters, replicas waiting and running,
 * failures of active tasks by code) and a page of one job's tasks with their replicas
 * and hosts. Every read is bounded by an index or a limit: none walks all tasks or all
 * replicas, and none writes, so the hot path pays nothing for an open dashboard.
 */

import {
  type FailureCount,
  type FailureView,
  type GridSnapshot,
  type JobTaskPage,
  type JobTasksQuery,
  RECENT_FAILURES,
  type ReplicaDetail,
  type TaskDetail,
} from '@anygrid/protocol';
import type { GridScope, Principal } from '../store.js';
import type { SqliteDatabase } from './sqlite-database.js';

/**
 * Failing tasks whose replicas are read for the failure counts, newest first: a job whose
 * every task fails must not make each snapshot read all of them.
 */
export const FAILING_TASKS_READ = 1000;

interface CountsRow {
  pending: number | null;
  valid: number | null;
  failed: number | null;
  no_consensus: number | null;
  cancelled: number | null;
  validated: number | null;
}

interface FailureRow {
  replica_id: number;
  job_id: number;
  idx: number;
  host_id: number | null;
  host_name: string | null;
  platform: string | null;
  state: string;
  error: string | null;
  at: number | null;
}

interface TaskRow {
  id: number;
  idx: number;
  state: string;
  fail_reason: string | null;
  parent_failure: string | null;
}

interface ReplicaRow {
  id: number;
  task_id: number;
  state: string;
  validation: string | null;
  host_id: number | null;
  host_name: string | null;
  platform: string | null;
  exit_code: number | null;
  error: string | null;
  duration_ms: number | null;
  sent_at: number | null;
  reported_at: number | null;
}

/** Job counters over jobs not purged; `validated` over every job, so its rate never dips at a purge. */
const COUNTS = `SELECT
    SUM(CASE WHEN purge_started_at IS NULL
      THEN tasks_total - tasks_valid - tasks_failed - tasks_no_consensus - tasks_cancelled END) AS pending,
    SUM(CASE WHEN purge_started_at IS NULL THEN tasks_valid END) AS valid,
    SUM(CASE WHEN purge_started_at IS NULL THEN tasks_failed END) AS failed,
    SUM(CASE WHEN purge_started_at IS NULL THEN tasks_no_consensus END) AS no_consensus,
    SUM(CASE WHEN purge_started_at IS NULL THEN tasks_cancelled END) AS cancelled,
    SUM(tasks_valid) AS validated
  FROM jobs`;

/** The failure code of a failed replica: the host's code, or its state (timed_out) when it sent none. */
const FAILURE_CODE = `COALESCE(json_extract(r.error, '$.code'), r.state)`;

export class SqliteDashboard {
  private readonly hostKinds;
  private readonly allCounts;
  private readonly accountCounts;
  private readonly allReplicas;
  private readonly accountReplicas;
  private readonly allFailures;
  private readonly accountFailures;
  private readonly allCodes;
  private readonly accountCodes;
  private readonly tasksAll;
  private readonly tasksFailed;
  private readonly replicasOf;

  constructor(db: SqliteDatabase) {
    this.hostKinds = db.prepare(
      `SELECT platform, COUNT(*) AS hosts, SUM(slots) AS slots FROM hosts
       WHERE quarantined_at IS NULL
         AND (last_seen >= ? OR id IN (SELECT value FROM json_each(?)))
       GROUP BY platform ORDER BY hosts DESC, platform`,
    );
    this.allCounts = db.prepare(COUNTS);
    this.accountCounts = db.prepare(`${COUNTS} WHERE account_id = ?`);
    // Both states have a partial index (replicas_ready, replicas_deadline).
    const replicaCounts = (join: string, where: string) =>
      db.prepare(
        `SELECT (SELECT COUNT(*) FROM replicas r ${join} WHERE r.state = 'unsent' ${where}) AS unsent,
           (SELECT COUNT(*) FROM replicas r ${join} WHERE r.state = 'in_progress' ${where}) AS in_progress`,
      );
    this.allReplicas = replicaCounts('', '');
    this.accountReplicas = replicaCounts(
      'JOIN jobs j ON j.id = r.job_id',
      'AND j.account_id = @account',
    );
    const failing = (where: string) =>
      `(SELECT task_id, job_id FROM failing_tasks f ${where} ORDER BY task_id DESC LIMIT ${FAILING_TASKS_READ}) f
       JOIN replicas r ON r.task_id = f.task_id AND r.state IN ('errored', 'timed_out', 'refused')`;
    const own = 'WHERE f.job_id IN (SELECT id FROM jobs WHERE account_id = @account)';
    const failures = (where: string) =>
      db.prepare(
        `SELECT r.id AS replica_id, f.job_id, t.idx, r.host_id, h.name AS host_name, h.platform,
           r.state, r.error,
           COALESCE(r.reported_at, r.deadline_at) AS at
         FROM ${failing(where)}
         JOIN tasks t ON t.id = f.task_id
         LEFT JOIN hosts h ON h.id = r.host_id
         ORDER BY r.id DESC LIMIT ${RECENT_FAILURES}`,
      );
    this.allFailures = failures('');
    this.accountFailures = failures(own);
    const codes = (where: string) =>
      db.prepare(
        `SELECT ${FAILURE_CODE} AS code, COUNT(*) AS count FROM ${failing(where)}
         GROUP BY code ORDER BY count DESC, code`,
      );
    this.allCodes = codes('');
    this.accountCodes = codes(own);

    const taskColumns = 'SELECT t.id, t.idx, t.state, t.fail_reason, t.parent_failure FROM tasks t';
    this.tasksAll = db.prepare(
      `${taskColumns} WHERE t.job_id = ? AND t.idx > ? ORDER BY t.idx LIMIT ?`,
    );
    this.tasksFailed = db.prepare(
      `${taskColumns} WHERE t.job_id = ? AND t.idx > ?
         AND (t.state IN ('failed', 'no_consensus') OR EXISTS (SELECT 1 FROM replicas r
           WHERE r.task_id = t.id AND r.state IN ('errored', 'timed_out', 'refused')))
       ORDER BY t.idx LIMIT ?`,
    );
    this.replicasOf = db.prepare(
      `SELECT r.id, r.task_id, r.state, r.validation, r.host_id, h.name AS host_name, h.platform,
         r.exit_code, r.error, r.duration_ms, r.sent_at, r.reported_at
       FROM replicas r LEFT JOIN hosts h ON h.id = r.host_id
       WHERE r.task_id IN (SELECT value FROM json_each(?))
       ORDER BY r.task_id, r.id`,
    );
  }

  snapshot(principal: Principal, scope: GridScope, now: number): GridSnapshot {
    const admin = principal.role === 'admin';
    const account = { account: principal.accountId };
    const counts = (
      admin ? this.allCounts.get() : this.accountCounts.get(principal.accountId)
    ) as CountsRow;
    const replicas = (admin ? this.allReplicas.get() : this.accountReplicas.get(account)) as {
      unsent: number;
      in_progress: number;
    };
    const failures = (
      admin ? this.allFailures.all() : this.accountFailures.all(account)
    ) as FailureRow[];
    const codes = (admin ? this.allCodes.all() : this.accountCodes.all(account)) as FailureCount[];
    return {
      at: now,
      hostsOnline: this.hostKinds.all(scope.onlineSince, JSON.stringify(scope.connected)) as {
        platform: string;
        hosts: number;
        slots: number;
      }[],
      tasks: {
        pending: counts.pending ?? 0,
        valid: counts.valid ?? 0,
        failed: counts.failed ?? 0,
        noConsensus: counts.no_consensus ?? 0,
        cancelled: counts.cancelled ?? 0,
      },
      replicas: { unsent: replicas.unsent, inProgress: replicas.in_progress },
      validated: counts.validated ?? 0,
      failureCodes: codes,
      failures: failures.map(failureView),
    };
  }

  tasks(jobId: number, q: JobTasksQuery): JobTaskPage {
    const statement = q.only === 'failed' ? this.tasksFailed : this.tasksAll;
    // One more than asked: whether a next page exists, without a count.
    const rows = statement.all(jobId, q.after, q.limit + 1) as TaskRow[];
    const page = rows.slice(0, q.limit);
    const replicas = this.replicasOf.all(JSON.stringify(page.map((t) => t.id))) as ReplicaRow[];
    const byTask = new Map<number, ReplicaDetail[]>();
    for (const r of replicas) {
      const list = byTask.get(r.task_id);
      if (list) list.push(replicaDetail(r));
      else byTask.set(r.task_id, [replicaDetail(r)]);
    }
    const tasks: TaskDetail[] = page.map((t) => ({
      index: t.idx,
      taskId: t.id,
      state: t.state,
      reason: parseError(t.fail_reason ?? t.parent_failure),
      replicas: byTask.get(t.id) ?? [],
    }));
    const last = page.at(-1);
    return { tasks, next: rows.length > q.limit && last ? last.idx : null };
  }
}

function failureView(r: FailureRow): FailureView {
  const error = parseError(r.error);
  return {
    replicaId: r.replica_id,
    jobId: r.job_id,
    taskIndex: r.idx,
    hostId: r.host_id,
    hostName: r.host_name,
    platform: r.platform,
    code: error?.code ?? r.state,
    message: error?.message ?? (r.state === 'timed_out' ? 'not reported by its deadline' : ''),
    at: r.at === null ? null : Number(r.at),
  };
}

function replicaDetail(r: ReplicaRow): ReplicaDetail {
  return {
    id: r.id,
    state: r.state,
    validation: r.validation,
    host:
      r.host_id === null
        ? null
        : { id: r.host_id, name: r.host_name ?? '', platform: r.platform ?? '' },
    exitCode: r.exit_code,
    error: parseError(r.error),
    durationMs: r.duration_ms,
    sentAt: r.sent_at === null ? null : Number(r.sent_at),
    reportedAt: r.reported_at === null ? null : Number(r.reported_at),
  };
}

/** A stored `{ code, message }` (written by the coordinator from a checked report), or null. */
function parseError(json: string | null): { code: string; message: string } | null {
  if (json === null) return null;
  const e = JSON.parse(json) as { code?: unknown; message?: unknown };
  return { code: String(e.code ?? 'unknown'), message: String(e.message ?? '') };
}
