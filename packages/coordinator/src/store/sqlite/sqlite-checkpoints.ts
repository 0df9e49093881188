/**
 * @module
 * Checkpoints on SQLite (docs/checkpoints.md): the newest checkpoint and progress of each
 * running replica, handed on to the replica that replaces it when it times out or is
 * handed back, and the progress of a job's running tasks.
 *
 * Soundness of replication rests on one rule: a checkpoint chain is continued by one
 * replica only. A reissued replica takes over the chain of one dead replica of its task
 * (never one still running, never one already continued, never one of a caught host),
 * the dead replica is marked continued in the same transaction, and its late answer no
 * longer counts: otherwise the two would be one computation voting twice. The other
 * replicas of the task keep their own chains; placement rules apply to a resumed replica
 * as to any other, since it is an ordinary replica row.
 *
 * Nothing here runs on the hot path: recording is its own request, handing on happens
 * only when a task is reissued after a replica died, and a replica's checkpoint is read
 * at assignment only for reissued replicas.
 */

import { NotAssignedError } from '@anygrid/protocol';
import { SqliteBlobRefs } from './sqlite-blob-refs.js';
import type { SqliteDatabase } from './sqlite-database.js';

/** A dead replica whose chain a reissued one may continue. */
interface ResumableRow {
  readonly id: number;
  readonly checkpoint_hash: string;
  readonly checkpoint_size: number;
  readonly progress: number | null;
}

export class SqliteCheckpoints {
  private readonly holder;
  private readonly blobRefs;
  private readonly record;
  private readonly resumable;
  private readonly continueChain;
  private readonly inherit;
  private readonly checkpointOf;
  private readonly continued;
  private readonly running;

  constructor(db: SqliteDatabase) {
    this.holder = db.prepare('SELECT host_id, job_id, state FROM replicas WHERE id = ?');
    // A checkpoint blob is the job's while it lives: the janitor keeps it (retention).
    this.blobRefs = new SqliteBlobRefs(db);
    this.record = db.prepare(
      `UPDATE replicas SET checkpoint_hash = COALESCE(?, checkpoint_hash),
         checkpoint_size = COALESCE(?, checkpoint_size), progress = COALESCE(?, progress)
       WHERE id = ?`,
    );
    // The newest chains first: the one furthest along saves the most work.
    this.resumable = db.prepare(
      `SELECT id, checkpoint_hash, checkpoint_size, progress FROM replicas
       WHERE task_id = ? AND state IN ('timed_out', 'abandoned') AND checkpoint_hash IS NOT NULL
         AND continued_by IS NULL AND excluded IS NULL
       ORDER BY progress DESC, id`,
    );
    this.continueChain = db.prepare('UPDATE replicas SET continued_by = ? WHERE id = ?');
    this.inherit = db.prepare(
      `UPDATE replicas SET checkpoint_hash = ?, checkpoint_size = ?, progress = ?, resumes = ?
       WHERE id = ? AND state = 'unsent'`,
    );
    this.checkpointOf = db.prepare(
      'SELECT checkpoint_hash AS hash, checkpoint_size AS size FROM replicas WHERE id = ?',
    );
    this.continued = db
      .prepare('SELECT continued_by IS NOT NULL FROM replicas WHERE id = ?')
      .pluck();
    // One fraction per task: replicas of one task run the same work side by side.
    this.running = db
      .prepare(
        `SELECT COUNT(*) AS n, SUM(p) AS sum FROM (
           SELECT MAX(progress) AS p FROM replicas
           WHERE job_id = ? AND state = 'in_progress' AND progress IS NOT NULL GROUP BY task_id) AS per_task`,
      )
      .raw();
  }

  /**
   * Keeps a replica's newest checkpoint and progress (null: unchanged), inside the
   * caller's transaction. Throws NotAssignedError unless `hostId` holds the replica;
   * `stale` when it no longer runs (timed out, handed back, reported): its chain is over.
   */
  set(
    hostId: number,
    replicaId: number,
    state: { readonly hash: string; readonly size: number } | null,
    fraction: number | null,
  ): 'recorded' | 'stale' {
    const row = this.holder.get(replicaId) as
      | { host_id: number | null; job_id: number; state: string }
      | undefined;
    if (row === undefined || row.host_id !== hostId) throw new NotAssignedError([replicaId]);
    if (row.state !== 'in_progress') return 'stale';
    this.record.run(state?.hash ?? null, state?.size ?? null, fraction, replicaId);
    if (state) this.blobRefs.add(state.hash, row.job_id);
    return 'recorded';
  }

  /**
   * Hands the chains of the task's dead replicas on to `reissued` (new replicas of it,
   * still unsent), one chain each, the furthest along first; inside the caller's transaction.
   */
  handOn(taskId: number, reissued: readonly number[]): void {
    if (reissued.length === 0) return;
    const dead = this.resumable.all(taskId) as ResumableRow[];
    const n = Math.min(dead.length, reissued.length);
    for (let i = 0; i < n; i++) {
      const from = dead[i] as ResumableRow;
      const to = reissued[i] as number;
      this.inherit.run(from.checkpoint_hash, from.checkpoint_size, from.progress, from.id, to);
      this.continueChain.run(to, from.id);
    }
  }

  /** The checkpoint a replica resumes or reached, if any. */
  of(replicaId: number): { hash: string; size: number } | undefined {
    const row = this.checkpointOf.get(replicaId) as
      | { hash: string | null; size: number }
      | undefined;
    return row?.hash == null ? undefined : { hash: row.hash, size: Number(row.size) };
  }

  /** Whether another replica continues this one's chain: its own answer no longer counts. */
  isContinued(replicaId: number): boolean {
    return this.continued.get(replicaId) === 1;
  }

  /** The sum of the fractions done of a job's running tasks, or undefined when none reported one. */
  runningProgress(jobId: number): number | undefined {
    const [n, sum] = this.running.get(jobId) as [number, number | null];
    return n === 0 || sum === null ? undefined : Math.round(sum * 1e4) / 1e4;
  }
}
