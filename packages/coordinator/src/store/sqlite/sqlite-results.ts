/**
 * @module
 * Reads a job's settled tasks in settlement order (each task's `settled_seq` is its
 * cursor), with the canonical output, the collected errors of a failed task, or the
 * candidates of a task that reached no consensus.
 */

import type { FailureCode, TaskResult } from '@anygrid/protocol';
import type { StoredOutputs } from '../rows.js';
import type { EncodedResult } from '../store.js';
import type { SqliteDatabase } from './sqlite-database.js';

/** How stored outputs begin (`sqlite-work.ts` writes them with JSON.stringify in this key order). */
const OUTPUTS_PREFIX = '{"stdout":';

interface SettledRow {
  cursor: number;
  task_id: number;
  idx: number;
  /** 'active' for a task reopened by a re-check: its earlier result is shown meanwhile. */
  state: TaskResult['outcome'] | 'active';
  exit_code: number | null;
  outputs: string | null;
  corrected: number | null;
  /** Why a task of a graph failed without running (`parent_failed`), as JSON. */
  parent_failure: string | null;
  /** Why the coordinator failed the task (JSON { code, message }), migration 12. */
  fail_reason: string | null;
}

export class SqliteResults {
  private readonly page;
  private readonly failures;
  private readonly reported;

  constructor(db: SqliteDatabase) {
    this.page = db.prepare(
      // A task reopened by a re-check (active again, with a cursor) stays in the stream
      // with the result it had until it settles again: in the same place if that result
      // stands, since a client may have read past it, or with a later cursor, corrected.
      `SELECT t.settled_seq AS cursor, t.id AS task_id, t.idx, t.state, r.exit_code, r.outputs,
         t.corrected, t.parent_failure, t.fail_reason
       FROM tasks t
       LEFT JOIN replicas r ON r.id = t.canonical_replica_id
       WHERE t.job_id = ? AND t.settled_seq > ?
       ORDER BY t.settled_seq LIMIT ?`,
    );
    this.failures = db.prepare(
      `SELECT state, error FROM replicas WHERE task_id = ? AND state IN ('errored', 'timed_out') ORDER BY id`,
    );
    this.reported = db.prepare(
      // Replicas of a job with a non-exact comparator are grouped by their agreement key.
      `SELECT COALESCE(agree_key, digest) AS digest, exit_code, outputs FROM replicas
       WHERE task_id = ? AND state = 'reported' ORDER BY id`,
    );
  }

  list(jobId: number, after: number, limit: number): TaskResult[] {
    const rows = this.page.all(jobId, after, limit) as SettledRow[];
    return rows.map((row) => this.result(row));
  }

  /**
   * `list` as JSON text. A valid result is the canonical replica's stored outputs
   * (written as `{"stdout":…,"stderr":…,"files":…}`, the order `TaskResult` has them in)
   * spliced between its other fields; any other outcome is serialised whole.
   */
  listEncoded(jobId: number, after: number, limit: number): EncodedResult[] {
    const rows = this.page.all(jobId, after, limit) as SettledRow[];
    return rows.map((row) => {
      const { outputs } = row;
      if (row.state !== 'valid' || outputs === null || !outputs.startsWith(OUTPUTS_PREFIX)) {
        return { cursor: row.cursor, json: JSON.stringify(this.result(row)) };
      }
      const corrected = row.corrected === 1 ? ',"corrected":true' : '';
      const json = `{"index":${row.idx},"taskId":${row.task_id},"outcome":"valid","exitCode":${row.exit_code},${outputs.slice(1, -1)},"errors":[],"candidates":[],"cursor":${row.cursor}${corrected}}`;
      return { cursor: row.cursor, json };
    });
  }

  private result(row: SettledRow): TaskResult {
    const outputs = row.outputs ? (JSON.parse(row.outputs) as StoredOutputs) : null;
    const outcome = row.state === 'active' ? 'valid' : row.state;
    return {
      index: row.idx,
      taskId: row.task_id,
      outcome,
      exitCode: row.exit_code,
      stdout: outputs?.stdout ?? null,
      stderr: outputs?.stderr ?? null,
      files: { ...(outputs?.files ?? {}) },
      errors: outcome === 'failed' ? this.errors(row) : [],
      candidates: row.state === 'no_consensus' ? this.candidates(row.task_id) : [],
      cursor: row.cursor,
      ...(row.corrected === 1 ? { corrected: true } : {}),
      ...(outcome === 'failed' ? reasonOf(row) : {}),
    };
  }

  private errors(row: SettledRow): TaskResult['errors'] {
    // A task failed for its parent never ran: that is its one error.
    if (row.parent_failure !== null) {
      return [JSON.parse(row.parent_failure) as { code: FailureCode; message: string }];
    }
    const rows = this.failures.all(row.task_id) as { state: string; error: string | null }[];
    return rows.map((r) => {
      if (r.state === 'timed_out') {
        return {
          code: 'time_limit' as FailureCode,
          message: 'The provider did not report before the deadline.',
        };
      }
      return r.error
        ? (JSON.parse(r.error) as { code: FailureCode; message: string })
        : {
            code: 'internal' as FailureCode,
            message: 'The provider reported an error without details.',
          };
    });
  }

  private candidates(taskId: number): TaskResult['candidates'] {
    const rows = this.reported.all(taskId) as {
      digest: string;
      exit_code: number | null;
      outputs: string;
    }[];
    const byDigest = new Map<string, TaskResult['candidates'][number]>();
    for (const r of rows) {
      const known = byDigest.get(r.digest);
      if (known) {
        byDigest.set(r.digest, { ...known, replicas: known.replicas + 1 });
        continue;
      }
      const outputs = JSON.parse(r.outputs) as StoredOutputs;
      byDigest.set(r.digest, {
        digest: r.digest,
        replicas: 1,
        exitCode: r.exit_code,
        stdout: outputs.stdout,
      });
    }
    return [...byDigest.values()];
  }
}

/** Why the coordinator failed the task, when it did: no eligible host, or a failed parent. */
function reasonOf(row: SettledRow): Pick<TaskResult, 'reason'> {
  const json = row.fail_reason ?? row.parent_failure;
  return json === null ? {} : { reason: JSON.parse(json) as NonNullable<TaskResult['reason']> };
}
