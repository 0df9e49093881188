/**
 * @module
 * Agreement for jobs whose comparator is not `exact`, on SQLite. Inside the report's
 * transaction a reported replica gets its agreement key at once when no comparison is
 * needed (the task's first answer, or one byte-equal to a classified answer); otherwise
 * it is queued in `comparisons` and counts as in flight. The comparator service compares
 * it outside any transaction and applies the verdict here, in a second transaction that
 * re-decides the task. Jobs with the `exact` comparator never reach this file.
 */

import type { ResolvedCompare } from '@anygrid/protocol';
import {
  agreementFacts,
  type KeyedReplica,
  keyWithoutComparing,
  type ReplicaState,
  representatives,
} from '../../policy/index.js';
import type { JobMeta, StoredOutputs } from '../rows.js';
import type { ChangeSet, ComparedReplica, ComparisonVerdict, PendingComparison } from '../store.js';
import { ChangeCollector } from './sqlite-change-collector.js';
import { type SqliteDatabase, transactionRunner } from './sqlite-database.js';
import type { FactsRow, SqliteSettlement } from './sqlite-settlement.js';

interface KeyedRow extends KeyedReplica {
  readonly host_id: number | null;
}

interface PendingRow {
  replica_id: number;
  task_id: number;
  job_id: number;
  task_state: string;
}

interface OutputsRow {
  id: number;
  digest: string;
  outputs: string;
}

export class SqliteComparisons {
  private readonly keyed;
  private readonly setKey;
  private readonly enqueue;
  private readonly pending;
  private readonly pendingTask;
  private readonly dropOne;
  private readonly dropTask;
  private readonly outputsOf;
  private readonly taskState;
  private readonly inTx;

  constructor(
    db: SqliteDatabase,
    private readonly settlement: SqliteSettlement,
    private readonly metaOf: (jobId: number) => JobMeta,
  ) {
    this.inTx = transactionRunner(db);
    this.keyed = db.prepare(
      `SELECT r.id, r.state, r.digest, r.agree_key AS agreeKey, r.host_id, h.account_id AS account
       FROM replicas r LEFT JOIN hosts h ON h.id = r.host_id WHERE r.task_id = ?`,
    );
    this.setKey = db.prepare('UPDATE replicas SET agree_key = ? WHERE id = ?');
    this.enqueue = db.prepare(
      'INSERT OR IGNORE INTO comparisons (replica_id, task_id, job_id, created_at) VALUES (?, ?, ?, ?)',
    );
    // The oldest pending replica of each task: a task's replicas are classified in id
    // order, so each sees the groups of those before it.
    this.pending = db.prepare(
      `SELECT c.replica_id, c.task_id, c.job_id, t.state AS task_state
       FROM comparisons c JOIN tasks t ON t.id = c.task_id
       WHERE c.replica_id = (SELECT MIN(o.replica_id) FROM comparisons o WHERE o.task_id = c.task_id)
       ORDER BY c.replica_id LIMIT ?`,
    );
    this.pendingTask = db.prepare('SELECT task_id FROM comparisons WHERE replica_id = ?').pluck();
    this.dropOne = db.prepare('DELETE FROM comparisons WHERE replica_id = ?');
    this.dropTask = db.prepare('DELETE FROM comparisons WHERE task_id = ?');
    this.outputsOf = db.prepare('SELECT id, digest, outputs FROM replicas WHERE id = ?');
    this.taskState = db.prepare('SELECT job_id, state FROM tasks WHERE id = ?');
  }

  /**
   * Inside a report's transaction: gives the newly reported replica its key (or queues
   * it for comparison) and decides its task from the replicas the caller read (so any
   * column the decision needs is there, as for exact jobs). Returns the replica's validation, as
   * `SqliteSettlement.decideLoaded` does; the caller writes the rest of its row.
   */
  decideReported<T extends FactsRow>(
    replica: { id: number; task_id: number; job_id: number },
    /** Every replica of its task (itself among them) as read in this transaction. */
    rows: readonly T[],
    state: ReplicaState,
    digest: string | null,
    now: number,
    changes: ChangeCollector,
  ): 'valid' | 'invalid' | null {
    let agreeKey: string | null = null;
    if (state === 'reported' && digest !== null) {
      agreeKey = keyWithoutComparing(
        digest,
        rows.filter((r) => r.id !== replica.id),
      );
      if (agreeKey === null) this.enqueue.run(replica.id, replica.task_id, replica.job_id, now);
      else this.setKey.run(agreeKey, replica.id);
    }
    const facts = agreementFacts(
      rows.map((r) => (r.id === replica.id ? { ...r, state, digest, agreeKey } : r)),
    );
    return this.settlement.decideLoaded(
      replica.task_id,
      replica.job_id,
      facts,
      replica.id,
      now,
      changes,
    );
  }

  listPending(limit: number): PendingComparison[] {
    const rows = this.pending.all(limit) as PendingRow[];
    return rows.map((row) => {
      const compare: ResolvedCompare = this.metaOf(row.job_id).policy.compare;
      const reps = representatives(this.keyed.all(row.task_id) as KeyedRow[]);
      return {
        taskId: row.task_id,
        jobId: row.job_id,
        active: row.task_state === 'active',
        compare,
        candidate: this.compared(row.replica_id),
        representatives: reps.map((r) => this.compared(r.id)),
      };
    });
  }

  private compared(replicaId: number): ComparedReplica {
    const row = this.outputsOf.get(replicaId) as OutputsRow;
    return {
      replicaId: row.id,
      digest: row.digest,
      outputs: JSON.parse(row.outputs) as StoredOutputs,
    };
  }

  apply(verdict: ComparisonVerdict, now: number): ChangeSet {
    return this.inTx(() => {
      const changes = new ChangeCollector();
      const taskId = this.pendingTask.get(verdict.replicaId) as number | undefined;
      if (taskId === undefined) return changes.toChangeSet();
      const task = this.taskState.get(taskId) as { job_id: number; state: string };
      if (task.state !== 'active') {
        this.dropTask.run(taskId);
        return changes.toChangeSet();
      }
      const reps = representatives(this.keyed.all(taskId) as KeyedRow[]);
      const same =
        reps.length === verdict.against.length && reps.every((r, i) => r.id === verdict.against[i]);
      if (!same) return changes.toChangeSet();
      if ('failed' in verdict) {
        this.dropTask.run(taskId);
        this.settlement.event(
          now,
          'comparison_failed',
          { job: task.job_id, task: taskId, replica: verdict.replicaId },
          JSON.stringify({ reason: verdict.failed }),
        );
        this.settlement.settle(taskId, task.job_id, 'no_consensus', null, changes);
      } else {
        const group = reps.find((r) => r.id === verdict.agreesWith);
        const own = (this.outputsOf.get(verdict.replicaId) as OutputsRow).digest;
        this.setKey.run(group?.agreeKey ?? own, verdict.replicaId);
        this.dropOne.run(verdict.replicaId);
        this.settlement.reconcile([taskId], now, changes);
      }
      this.settlement.flushCounters(now, changes);
      return changes.toChangeSet();
    });
  }
}
