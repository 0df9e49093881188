/**
 * @module
 * Jobs as requesters see them, read from SQLite: one by id (its owner's or an admin's;
 * a job whose purge began answers JOB_PURGED rather than show half-deleted results), or
 * the newest of an account. A running job's view adds up the progress of its running
 * tasks, and a job with native variants lists them with their measured runs.
 */

import { JobPurgedError, type JobView } from '@anygrid/protocol';
import { type JobRow, jobView } from '../rows.js';
import type { Principal } from '../store.js';
import { type SqliteDatabase, statementCache } from './sqlite-database.js';
import type { SqliteSettlement } from './sqlite-settlement.js';

export class SqliteJobViews {
  private readonly sql;

  constructor(
    db: SqliteDatabase,
    private readonly settlement: SqliteSettlement,
  ) {
    this.sql = statementCache(db);
  }

  /** The job's view whoever asks; null when there is no such job. */
  byId(jobId: number): JobView | null {
    const row = this.sql('SELECT * FROM jobs WHERE id = ?').get(jobId) as JobRow | undefined;
    return row ? this.viewOf(row) : null;
  }

  /** The job's view if `principal` may see it, else null; throws JobPurgedError once its purge began. */
  visible(jobId: number, principal: Principal): JobView | null {
    const row = this.sql('SELECT * FROM jobs WHERE id = ?').get(jobId) as
      | (JobRow & { purge_started_at: number | null })
      | undefined;
    if (!row || (principal.role !== 'admin' && row.account_id !== principal.accountId)) return null;
    // From the start of its purge a job's results are going: none is shown half-deleted.
    if (row.purge_started_at !== null) {
      throw new JobPurgedError(
        jobId,
        row.finished_at === null ? null : Number(row.finished_at),
        Number(row.purge_started_at),
      );
    }
    return this.viewOf(row);
  }

  /** The newest `limit` jobs `principal` may see (an admin: all), not purged. */
  list(principal: Principal, limit: number): JobView[] {
    const rows = (
      principal.role === 'admin'
        ? this.sql(
            'SELECT * FROM jobs WHERE purge_started_at IS NULL ORDER BY id DESC LIMIT ?',
          ).all(limit)
        : this.sql(
            'SELECT * FROM jobs WHERE account_id = ? AND purge_started_at IS NULL ORDER BY id DESC LIMIT ?',
          ).all(principal.accountId, limit)
    ) as JobRow[];
    return rows.map((row) => this.viewOf(row));
  }

  /** A job's view, with the progress of its running tasks while it runs. */
  private viewOf(row: JobRow): JobView {
    const view =
      row.state !== 'running'
        ? jobView(row)
        : jobView(row, this.settlement.checkpoints.runningProgress(row.id));
    return row.variants === 1 ? { ...view, variants: this.settlement.variants.view(row.id) } : view;
  }
}
