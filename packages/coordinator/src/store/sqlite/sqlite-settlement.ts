/**
 * @module
 * The transitioner and validator inside SQLite transactions: for each touched task it
 * loads the replicas, asks the pure `decideTask` policy what to do, and applies the
 * answer (new replicas, canonical result, failure) with the job's counters and the
 * event that publishes the result — all within the caller's transaction.
 */

import type { ReplicaFacts, TaskDecision } from '../../policy/index.js';
import { decideTask } from '../../policy/index.js';
import type { JobMeta } from '../rows.js';
import type { SqliteDatabase } from './sqlite-database.js';

/** Collects what a transaction changed, for notifications after commit. */
export class ChangeCollector {
  readonly jobs = new Set<number>();
  newWork = false;

  toChangeSet() {
    return { jobs: [...this.jobs], newWork: this.newWork };
  }
}

type SettledState = 'valid' | 'failed' | 'no_consensus' | 'cancelled';

const counterColumn: Record<SettledState, string> = {
  valid: 'tasks_valid',
  failed: 'tasks_failed',
  no_consensus: 'tasks_no_consensus',
  cancelled: 'tasks_cancelled',
};

export class SqliteSettlement {
  private readonly replicasOfTask;
  private readonly taskRow;
  private readonly insertReplica;
  private readonly settleTask;
  private readonly markValidation;
  private readonly dropUnsent;
  private readonly insertEvent;
  private readonly bumpCounter: Record<SettledState, ReturnType<SqliteDatabase['prepare']>>;
  private readonly finishJob;

  constructor(
    db: SqliteDatabase,
    private readonly metaOf: (jobId: number) => JobMeta,
  ) {
    this.replicasOfTask = db.prepare('SELECT id, state, digest FROM replicas WHERE task_id = ?');
    this.taskRow = db.prepare('SELECT job_id, state FROM tasks WHERE id = ?');
    this.insertReplica = db.prepare(
      `INSERT INTO replicas (task_id, job_id, priority, state, created_at) VALUES (?, ?, ?, 'unsent', ?)`,
    );
    this.settleTask = db.prepare(
      'UPDATE tasks SET state = ?, canonical_replica_id = ?, settled_seq = ? WHERE id = ?',
    );
    this.markValidation = db.prepare('UPDATE replicas SET validation = ? WHERE id = ?');
    this.dropUnsent = db.prepare(
      `UPDATE replicas SET state = 'abandoned' WHERE task_id = ? AND state = 'unsent'`,
    );
    this.insertEvent = db.prepare(
      'INSERT INTO events (at, kind, job_id, task_id, replica_id, host_id, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.bumpCounter = Object.fromEntries(
      Object.entries(counterColumn).map(([state, col]) => [
        state,
        db.prepare(`UPDATE jobs SET ${col} = ${col} + 1 WHERE id = ?`),
      ]),
    ) as Record<SettledState, ReturnType<SqliteDatabase['prepare']>>;
    this.finishJob = db.prepare(
      `UPDATE jobs SET state = 'completed', finished_at = ?
       WHERE id = ? AND state = 'running'
         AND tasks_valid + tasks_failed + tasks_no_consensus + tasks_cancelled = tasks_total`,
    );
  }

  /** Appends an audit event; returns its id (the result cursor for task_settled). */
  event(now: number, kind: string, ids: { job?: number; task?: number; replica?: number; host?: number }, data?: unknown): number {
    const info = this.insertEvent.run(
      now,
      kind,
      ids.job ?? null,
      ids.task ?? null,
      ids.replica ?? null,
      ids.host ?? null,
      data === undefined ? null : JSON.stringify(data),
    );
    return Number(info.lastInsertRowid);
  }

  /** Creates a task's first replicas. */
  createReplicas(taskId: number, jobId: number, count: number, now: number, changes: ChangeCollector): void {
    const { priority } = this.metaOf(jobId).policy;
    for (let i = 0; i < count; i++) this.insertReplica.run(taskId, jobId, priority, now);
    if (count > 0) changes.newWork = true;
  }

  /** Re-decides every given task that is still active. */
  reconcile(taskIds: Iterable<number>, now: number, changes: ChangeCollector): void {
    for (const taskId of taskIds) {
      const task = this.taskRow.get(taskId) as { job_id: number; state: string } | undefined;
      if (!task || task.state !== 'active') continue;
      const meta = this.metaOf(task.job_id);
      const replicas = this.replicasOfTask.all(taskId) as ReplicaFacts[];
      this.apply(taskId, task.job_id, decideTask(meta.policy, replicas), now, changes);
    }
  }

  /** Settles an active task in a final state, publishing it to the result stream. */
  settle(taskId: number, jobId: number, state: SettledState, canonicalId: number | null, now: number, changes: ChangeCollector): void {
    this.dropUnsent.run(taskId);
    const seq = this.event(now, 'task_settled', { job: jobId, task: taskId, replica: canonicalId ?? undefined }, { state });
    this.settleTask.run(state, canonicalId, seq, taskId);
    this.bumpCounter[state].run(jobId);
    this.finishJob.run(now, jobId);
    changes.jobs.add(jobId);
  }

  private apply(taskId: number, jobId: number, decision: TaskDecision, now: number, changes: ChangeCollector): void {
    switch (decision.kind) {
      case 'continue':
        this.createReplicas(taskId, jobId, decision.create, now, changes);
        return;
      case 'valid':
        for (const id of decision.validIds) this.markValidation.run('valid', id);
        for (const id of decision.invalidIds) this.markValidation.run('invalid', id);
        this.settle(taskId, jobId, 'valid', decision.canonicalId, now, changes);
        return;
      case 'failed':
      case 'no_consensus':
        this.settle(taskId, jobId, decision.kind, null, now, changes);
        return;
    }
  }
}
