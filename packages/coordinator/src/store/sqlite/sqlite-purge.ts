/**
 * @module
 * Deletes a finished job's rows for the janitor, in bounded steps: each step is one
 * transaction deleting up to N tasks with everything that hangs off them, so a purge of a
 * million-task job never holds the writer for long, and a SIGKILL between steps leaves a
 * consistent store whose purge the next start simply continues. The job row is kept as a
 * tombstone (`purged_at`) once nothing else of it is left.
 *
 * Tables whose rows belong to a task or a job are listed once below: a new per-task or
 * per-job table is purged by adding it there.
 */

import type { PurgeDue, PurgeStep } from '../store.js';
import { type SqliteDatabase, transactionRunner } from './sqlite-database.js';

/** The `LIMIT`ed batch of the job's tasks a step deletes, by the (job_id, idx) index. */
const BATCH = 'SELECT id FROM tasks WHERE job_id = ? ORDER BY idx LIMIT ?';

/** Tables with a `task_id` column whose rows die with their task (before the tasks). */
const PER_TASK_TABLES = ['comparisons', 'replicas'] as const;

/**
 * Tables with a `job_id` column whose rows die with the job, once its tasks are gone:
 * each is deleted `LIMIT`ed too (events of a job with many timeouts can be many).
 */
const PER_JOB_TABLES = ['events', 'blob_refs', 'unconfirmed_results', 'job_variants'] as const;

/** A table's row number: `id` where it has one (SQLite's rowid by another name), else rowid. */
function rowKey(table: (typeof PER_JOB_TABLES)[number]): string {
  return table === 'events' ? 'id' : 'rowid';
}

export class SqlitePurge {
  private readonly due;
  private readonly begin;
  private readonly perTask;
  private readonly tasks;
  private readonly perJob;
  private readonly orphanInputs;
  private readonly finish;
  private readonly begunAt;
  private readonly inTx;

  constructor(db: SqliteDatabase) {
    this.inTx = transactionRunner(db);
    // Purges under way first (a restart resumes them), then the oldest finished.
    this.due = db.prepare(
      `SELECT id, finished_at, purge_started_at FROM jobs
       WHERE finished_at IS NOT NULL AND purged_at IS NULL
         AND (purge_started_at IS NOT NULL OR finished_at <= ?)
       ORDER BY purge_started_at IS NULL, finished_at LIMIT ?`,
    );
    this.begin = db.prepare(
      `UPDATE jobs SET purge_started_at = ? WHERE id = ? AND purge_started_at IS NULL
         AND finished_at IS NOT NULL AND state <> 'running'`,
    );
    this.perTask = [
      ...PER_TASK_TABLES.map((table) =>
        db.prepare(`DELETE FROM ${table} WHERE task_id IN (${BATCH})`),
      ),
      // A task graph's edges, each by its child (every edge's child is a task of the job).
      db.prepare(`DELETE FROM task_edges WHERE child_id IN (${BATCH})`),
    ];
    // Inline outputs kept as a graph's inputs (graph_inputs, by hash) that no job refers
    // to any more once this one's blob references are gone: a bounded batch per purge.
    this.orphanInputs = db.prepare(
      `DELETE FROM graph_inputs WHERE rowid IN (SELECT g.rowid FROM graph_inputs g
         WHERE NOT EXISTS (SELECT 1 FROM blob_refs b WHERE b.hash = g.hash) LIMIT 10000)`,
    );
    this.tasks = db.prepare(`DELETE FROM tasks WHERE id IN (${BATCH})`);
    this.perJob = PER_JOB_TABLES.map((table) =>
      table === 'blob_refs'
        ? db.prepare(
            `DELETE FROM blob_refs WHERE (hash, job_id) IN
               (SELECT hash, job_id FROM blob_refs WHERE job_id = ? LIMIT ?)`,
          )
        : db.prepare(
            // events' rowid is its id, under that name on PostgreSQL.
            `DELETE FROM ${table} WHERE ${rowKey(table)} IN (SELECT ${rowKey(table)} FROM ${table} WHERE job_id = ? LIMIT ?)`,
          ),
    );
    this.begunAt = db.prepare('SELECT purge_started_at FROM jobs WHERE id = ?').pluck();
    this.finish = db.prepare(
      `UPDATE jobs SET purged_at = ? WHERE id = ? AND purge_started_at IS NOT NULL`,
    );
  }

  /** Finished jobs whose purge is under way, then those finished at or before `before`. */
  listDue(before: number, limit: number): PurgeDue[] {
    const rows = this.due.all(before, limit) as {
      id: number;
      finished_at: number;
      purge_started_at: number | null;
    }[];
    return rows.map((r) => ({
      jobId: r.id,
      finishedAt: Number(r.finished_at),
      started: r.purge_started_at !== null,
    }));
  }

  /** True when the purge began now (false: it had begun, or the job is not finished). */
  begun(jobId: number, now: number): boolean {
    return this.begin.run(now, jobId).changes === 1;
  }

  /**
   * One transaction: up to `maxRows` tasks with their per-task rows; once no task is
   * left, up to `maxRows` of each per-job table; once those are gone too, the tombstone.
   */
  step(jobId: number, maxRows: number, now: number): PurgeStep {
    return this.inTx(() => {
      // Only a begun purge deletes: its results were archived and the job is gone for users.
      if (this.begunAt.get(jobId) == null) throw new Error(`job ${jobId}: purge not begun`);
      let rows = 0;
      for (const stmt of this.perTask) rows += stmt.run(jobId, maxRows).changes;
      const tasks = this.tasks.run(jobId, maxRows).changes;
      rows += tasks;
      if (tasks > 0) return { tasks, rows, done: false };
      for (const stmt of this.perJob) rows += stmt.run(jobId, maxRows).changes;
      if (rows > 0) return { tasks, rows, done: false };
      this.orphanInputs.run();
      this.finish.run(now, jobId);
      return { tasks, rows, done: true };
    });
  }
}
