/**
 * @module
 * New replicas of a job's tasks, ready to send: the first ones of a run of tasks (several
 * rows per statement), those of a graph's child once its parents are valid, and
 * reissues when a task needs more replicas. Each is handed to the scheduler through the
 * transaction's changes, with the large blobs it needs (locality).
 */

import { type LargeBlob, largeBlobsFromList, type ReadyReplica } from '../../policy/index.js';
import type { JobMeta } from '../rows.js';
import type { ChangeCollector } from './sqlite-change-collector.js';
import type { SqliteCheckpoints } from './sqlite-checkpoints.js';
import { ROWS_PER_INSERT, rows, type SqliteDatabase, statementCache } from './sqlite-database.js';
import { largeInputsOf } from './sqlite-large-inputs.js';

export class SqliteReplicaCreation {
  private readonly insertReplica;
  private readonly largeInputs;
  private readonly sql;

  constructor(
    db: SqliteDatabase,
    private readonly metaOf: (jobId: number) => JobMeta,
    private readonly checkpoints: SqliteCheckpoints,
  ) {
    this.sql = statementCache(db);
    this.largeInputs = db
      .prepare(`SELECT ${largeInputsOf('spec', db.dialect)} FROM tasks WHERE id = ?`)
      .pluck();
    this.insertReplica = db.prepare(
      `INSERT INTO replicas (task_id, job_id, priority, state, created_at) VALUES (?, ?, ?, 'unsent', ?)`,
    );
  }

  /**
   * Creates more replicas of a task, ready to send to hosts other than `excludedHosts`
   * (its first replicas come from `createFirstReplicas`). They are never `sole`: the
   * task has had a replica before. With `resume`, when a replica of the task died (timed
   * out or handed back), the new ones continue the dead ones' checkpoint chains.
   */
  createReissues(
    taskId: number,
    jobId: number,
    count: number,
    now: number,
    changes: ChangeCollector,
    excludedHosts: number[],
    resume = false,
  ): void {
    const meta = this.metaOf(jobId);
    const { priority } = meta.policy;
    const { accountId } = meta;
    const created: number[] = [];
    const large = largeBlobsFromList(
      { hash: meta.moduleHash, size: meta.moduleSize },
      this.largeInputs.get(taskId) as string | null,
    );
    for (let i = 0; i < count; i++) {
      const replicaId = Number(
        this.insertReplica.run(taskId, jobId, priority, now).lastInsertRowid,
      );
      created.push(replicaId);
      const ready: ReadyReplica = {
        replicaId,
        taskId,
        jobId,
        accountId,
        priority,
        excludedHosts,
        reissue: true,
        // Only a replica that replaces a dead one can be handed a chain (`handOn` below).
        ...(resume ? {} : { mayResume: false }),
      };
      changes.ready.push(large ? { ...ready, large } : ready);
    }
    if (resume) this.checkpoints.handOn(taskId, created);
  }

  /**
   * Creates the first replicas of `count` consecutive tasks from `firstTaskId`,
   * `redundancy` each, ready to send: several rows per statement (see `insertTasks`).
   */
  createFirstReplicas(
    firstTaskId: number,
    count: number,
    jobId: number,
    redundancy: number,
    now: number,
    changes: ChangeCollector,
    /** Each task's large blobs by its offset from `firstTaskId`; absent: none has any. */
    large?: readonly (readonly LargeBlob[] | undefined)[],
  ): void {
    const meta = this.metaOf(jobId);
    const { priority } = meta.policy;
    const { accountId } = meta;
    // A task of a job without redundancy starts with one replica and makes another only
    // once that one has left 'unsent' (quorum.ts): until then it is the task's only one.
    const sole = redundancy === 1 ? 1 : null;
    const total = count * redundancy;
    for (let start = 0; start < total; start += ROWS_PER_INSERT) {
      const n = Math.min(ROWS_PER_INSERT, total - start);
      const params: unknown[] = [];
      for (let k = 0; k < n; k++) {
        const taskId = firstTaskId + Math.floor((start + k) / redundancy);
        params.push(taskId, jobId, priority, now, sole);
      }
      const insert = this.sql(
        `INSERT INTO replicas (task_id, job_id, priority, state, created_at, sole) VALUES ${rows(n, "(?, ?, ?, 'unsent', ?, ?)")}`,
      );
      const last = Number(insert.run(params).lastInsertRowid);
      for (let k = 0; k < n; k++) {
        const offset = Math.floor((start + k) / redundancy);
        const taskId = firstTaskId + offset;
        const ready = { replicaId: last - n + 1 + k, taskId, jobId, accountId, priority };
        const blobs = large?.[offset];
        changes.ready.push(blobs ? { ...ready, large: blobs } : ready);
      }
    }
  }

  /** A graph's child's first replicas, once its parents' outputs are among its files. */
  createForChild(taskId: number, jobId: number, now: number, changes: ChangeCollector): void {
    const meta = this.metaOf(jobId);
    // Read now: the parents' outputs are large inputs too (locality weighs them).
    const large = largeBlobsFromList(
      { hash: meta.moduleHash, size: meta.moduleSize },
      this.largeInputs.get(taskId) as string | null,
    );
    const { redundancy } = meta.policy;
    this.createFirstReplicas(taskId, 1, jobId, redundancy, now, changes, large && [large]);
  }
}
