/**
 * @module
 * A job's life as whole store verbs, each one transaction: created (its maximum cost
 * reserved with it, or nothing written), given its further parts, listed while it waits
 * for parts, and cancelled. Apart from the facade (sqlite-store.ts) because each verb
 * orders several parts' writes, and because a job rolled back must not leave its cached
 * meta behind.
 */

import type { JobView } from '@anygrid/protocol';
import type { ChangeSet, NewJob } from '../store.js';
import { ChangeCollector } from './sqlite-change-collector.js';
import { type SqliteDatabase, statementCache, transactionRunner } from './sqlite-database.js';
import type { SqliteJobIntake } from './sqlite-job-intake.js';
import type { SqliteJobViews } from './sqlite-job-views.js';
import type { SqliteMoney } from './sqlite-money.js';
import type { SqliteSettlement } from './sqlite-settlement.js';

export class SqliteJobLifecycle {
  private readonly inTx;
  /** A prepared statement, compiled once per SQL text. */
  private readonly sql;

  constructor(
    db: SqliteDatabase,
    private readonly intake: SqliteJobIntake,
    private readonly money: SqliteMoney,
    private readonly jobViews: SqliteJobViews,
    private readonly settlement: SqliteSettlement,
    /** Drops a job's cached meta. */
    private readonly forget: (jobId: number) => void,
  ) {
    this.inTx = transactionRunner(db);
    this.sql = statementCache(db);
  }

  /** Writes the job and reserves its cost from the requester's balance, or neither. */
  create(accountId: number, job: NewJob, now: number): { job: JobView; changes: ChangeSet } {
    const changes = new ChangeCollector();
    let created: number | undefined;
    let jobId: number;
    try {
      jobId = this.inTx(() => {
        created = this.intake.createJob(accountId, job, now, changes);
        // Throwing here rolls the job back: a paid job the balance cannot cover is not written.
        this.money.reserve(accountId, created, job.tasksTotal ?? job.tasks.length, now);
        return created;
      });
    } catch (error) {
      // The rolled-back id may be given out again: its cached meta must not outlive it.
      if (created !== undefined) this.forget(created);
      throw error;
    }
    changes.jobs.add(jobId);
    return { job: this.jobViews.byId(jobId) as JobView, changes: changes.toChangeSet() };
  }

  /** Adds the next part of a job sent in parts. */
  addTasks(jobId: number, from: number, tasks: NewJob['tasks'], now: number, partsUntil?: number) {
    const changes = new ChangeCollector();
    const added = this.inTx(() =>
      this.intake.addTasks(jobId, from, tasks, now, changes, partsUntil),
    );
    if (added > 0) changes.jobs.add(jobId);
    return { added, changes: changes.toChangeSet() };
  }

  /** Running jobs with tasks missing that no requester will send (`Store.incompleteJobs`). */
  incomplete(): number[] {
    return this.sql(
      `SELECT j.id FROM jobs j WHERE j.state = 'running' AND j.parts_until IS NULL
         AND j.tasks_total > (SELECT COUNT(*) FROM tasks t WHERE t.job_id = j.id)`,
    )
      .pluck()
      .all() as number[];
  }

  /** Running jobs whose requester did not send the missing parts in time. */
  expiredParts(now: number): number[] {
    return this.sql(`SELECT id FROM jobs WHERE state = 'running' AND parts_until < ?`)
      .pluck()
      .all(now) as number[];
  }

  /** Cancels a running job and settles its active tasks `cancelled`. */
  cancel(jobId: number, now: number): ChangeSet {
    const { settlement } = this;
    return this.inTx(() => {
      const changes = new ChangeCollector();
      // The state first: settling the last tasks must not mark the job completed.
      this.sql(
        `UPDATE jobs SET state = 'cancelled', finished_at = ? WHERE id = ? AND state = 'running'`,
      ).run(now, jobId);
      const active = this.sql(
        `SELECT id FROM tasks WHERE job_id = ? AND state = 'active' ORDER BY idx`,
      )
        .pluck()
        .all(jobId) as number[];
      // Before they settle: the replicas still running, whose hosts are told to stop them.
      // Their leases end now, so the next sweep frees their hosts' in-flight places (as a
      // heartbeat listing them would), without counting it against the hosts.
      const running = this.sql(
        `SELECT r.id, r.host_id FROM tasks t JOIN replicas r ON r.task_id = t.id
         WHERE t.job_id = ? AND t.state = 'active' AND r.state = 'in_progress'`,
      )
        .raw()
        .all(jobId) as [number, number | null][];
      const endLease = this.sql('UPDATE replicas SET deadline_at = ? WHERE id = ?');
      for (const [id, hostId] of running) {
        endLease.run(now, id);
        if (hostId !== null) changes.stopOn(hostId, id);
      }
      for (const taskId of active) settlement.settle(taskId, jobId, 'cancelled', null, changes);
      changes.moneyJobs.add(jobId);
      settlement.flushCounters(now, changes);
      settlement.event(now, 'job_cancelled', { job: jobId });
      changes.jobs.add(jobId);
      return changes.toChangeSet();
    });
  }
}
