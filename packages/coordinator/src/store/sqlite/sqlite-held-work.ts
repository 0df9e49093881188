/**
 * @module
 * What becomes on SQLite of work a host holds, other than its report
 * (sqlite-work.ts): a heartbeat extends the leases of replicas still wanted and lists
 * those to stop; the running replicas of jobs that ended are listed for their hosts and
 * their leases end; a host hands work back; replicas past their deadline time out; a
 * running replica's checkpoint is kept. Each runs as one transaction, or inside the
 * caller's (a heartbeat's), and tallies per host what became of each replica.
 */

import type { HeartbeatResponse } from '@anygrid/protocol';
import type { JobMeta } from '../rows.js';
import type { ChangeSet, HostReplicas } from '../store.js';
import { ChangeCollector } from './sqlite-change-collector.js';
import { type SqliteDatabase, transactionRunner } from './sqlite-database.js';
import type { SqliteSettlement } from './sqlite-settlement.js';

/** A replica as the lease checks read it. */
export interface ReplicaRow {
  id: number;
  task_id: number;
  job_id: number;
  host_id: number | null;
  state: string;
  /** 1 on a spot check (migration 9). */
  spot: number | null;
}

interface OverdueRow extends ReplicaRow {
  task_state: string;
}

export class SqliteHeldWork {
  private readonly touchHost;
  private readonly replicaRow;
  private readonly taskState;
  private readonly jobState;
  private readonly extendLease;
  private readonly abandonReplica;
  private readonly overdue;
  private readonly timeOut;
  private readonly endedWork;
  private readonly inTx;

  constructor(
    db: SqliteDatabase,
    private readonly settlement: SqliteSettlement,
    private readonly metaOf: (jobId: number) => JobMeta,
  ) {
    this.inTx = transactionRunner(db);
    this.touchHost = db.prepare('UPDATE hosts SET last_seen = ? WHERE id = ?');
    this.replicaRow = db.prepare(
      'SELECT id, task_id, job_id, host_id, state, spot FROM replicas WHERE id = ?',
    );
    this.taskState = db.prepare('SELECT state, canonical_replica_id FROM tasks WHERE id = ?');
    this.jobState = db.prepare('SELECT state FROM jobs WHERE id = ?').pluck();
    this.extendLease = db.prepare('UPDATE replicas SET deadline_at = ? WHERE id = ?');
    this.abandonReplica = db.prepare(`UPDATE replicas SET state = 'abandoned' WHERE id = ?`);
    this.overdue = db.prepare(
      `SELECT r.id, r.task_id, r.job_id, r.host_id, t.state AS task_state
       FROM replicas r JOIN tasks t ON t.id = r.task_id
       WHERE r.state = 'in_progress' AND r.deadline_at < ? ORDER BY r.deadline_at LIMIT ?`,
    );
    this.timeOut = db.prepare(`UPDATE replicas SET state = 'timed_out' WHERE id = ?`);
    // In progress through the deadline index (as many entries as hosts hold work), timed
    // out through their own (migration 31): through the ended jobs' tasks, this read every
    // replica of a job (29 ms for 100 000 tasks; 0.3 ms this way). Timed out too:
    // cancelling ends the leases of running replicas, and the leader's sweep may time them
    // out before this coordinator looks, though their hosts still run them.
    const ended = (state: string) =>
      `SELECT r.id, r.host_id, r.state FROM replicas r
       WHERE r.state = '${state}'
         AND r.job_id IN (SELECT id FROM jobs
                          WHERE id IN (SELECT value FROM json_each(?)) AND state <> 'running')
         AND r.host_id IN (SELECT value FROM json_each(?))`;
    this.endedWork = db.prepare(`${ended('in_progress')} UNION ALL ${ended('timed_out')}`).raw();
  }

  /**
   * A heartbeat's leases, inside the caller's transaction (sqlite-host-lifecycle.ts):
   * extends those still wanted, lists those to stop, and counts how many of the listed
   * replicas the store has in progress on the host (`holding`), so the caller can tell
   * whether the host holds fewer than the store thinks.
   */
  extendLeases(
    hostId: number,
    replicaIds: readonly number[],
    now: number,
  ): HeartbeatResponse & { holding: number } {
    const extended: HeartbeatResponse['extended'][number][] = [];
    const cancel: number[] = [];
    let holding = 0;
    for (const id of replicaIds) {
      const row = this.replicaRow.get(id) as ReplicaRow | undefined;
      if (row?.host_id === hostId && row.state === 'in_progress') holding++;
      if (!row || row.host_id !== hostId || row.state !== 'in_progress' || !this.stillWanted(row)) {
        cancel.push(id);
        // Of a cancelled job, the host stops it and never reports it: its lease ends now,
        // so the next sweep frees its place in the host's in-flight bound rather than
        // the deadline, minutes away.
        if (row?.host_id === hostId && row.state === 'in_progress' && !this.jobRuns(row)) {
          this.extendLease.run(now, id);
        }
        continue;
      }
      const deadline = now + this.metaOf(row.job_id).policy.deadlineMs;
      this.extendLease.run(deadline, id);
      extended.push({ replicaId: id, deadline });
    }
    this.touchHost.run(now, hostId);
    return { extended, cancel, holding };
  }

  /** See `Store.stopEndedWork`. */
  stopEndedWork(
    hostIds: readonly number[],
    jobIds: readonly number[],
    now: number,
  ): HostReplicas[] {
    if (hostIds.length === 0 || jobIds.length === 0) return [];
    return this.inTx(() => {
      const jobs = JSON.stringify(jobIds);
      const hosts = JSON.stringify(hostIds);
      const rows = this.endedWork.all(jobs, hosts, jobs, hosts) as [number, number, string][];
      const byHost = new Map<number, number[]>();
      for (const [id, hostId, state] of rows) {
        if (state === 'in_progress') this.extendLease.run(now, id);
        const ids = byHost.get(hostId);
        if (ids) ids.push(id);
        else byHost.set(hostId, [id]);
      }
      return [...byHost].map(([hostId, replicaIds]) => ({ hostId, replicaIds }));
    });
  }

  private jobRuns(row: ReplicaRow): boolean {
    return this.jobState.get(row.job_id) === 'running';
  }

  private stillWanted(row: ReplicaRow): boolean {
    const task = this.taskState.get(row.task_id) as { state: string };
    // A spot check runs on a settled task: wanted as long as its job runs.
    const open = task.state === 'active' || (row.spot === 1 && task.state === 'valid');
    return open && this.jobState.get(row.job_id) === 'running';
  }

  /** Keeps a running replica's newest checkpoint and progress (sqlite-checkpoints.ts). */
  checkpoint(
    hostId: number,
    replicaId: number,
    state: { readonly hash: string; readonly size: number } | null,
    fraction: number | null,
    now: number,
  ): 'recorded' | 'stale' {
    return this.inTx(() => {
      const status = this.settlement.checkpoints.set(hostId, replicaId, state, fraction);
      this.touchHost.run(now, hostId);
      return status;
    });
  }

  abandon(
    hostId: number,
    replicaIds: readonly number[],
    now: number,
  ): { abandoned: number; changes: ChangeSet } {
    return this.inTx(() => {
      const changes = new ChangeCollector();
      const touched = new Set<number>();
      let abandoned = 0;
      for (const id of replicaIds) {
        const row = this.replicaRow.get(id) as ReplicaRow | undefined;
        if (!row || row.host_id !== hostId || row.state !== 'in_progress') continue;
        this.abandonReplica.run(id);
        changes.tally(hostId, 'abandoned');
        changes.tally(hostId, 'left');
        abandoned++;
        this.settlement.event(now, 'replica_abandoned', {
          job: row.job_id,
          task: row.task_id,
          replica: id,
          host: hostId,
        });
        touched.add(row.task_id);
      }
      this.settlement.reconcile(touched, now, changes);
      this.settlement.flushCounters(now, changes);
      return { abandoned, changes: changes.toChangeSet() };
    });
  }

  expire(now: number, limit: number): { timedOut: number; changes: ChangeSet } {
    return this.inTx(() => {
      const changes = new ChangeCollector();
      const rows = this.overdue.all(now, limit) as OverdueRow[];
      const touched = new Set<number>();
      for (const row of rows) {
        this.timeOut.run(row.id);
        changes.tally(row.host_id, 'left');
        this.settlement.failing(row.task_id, row.job_id);
        // Held against the host only while its task still needed the answer: a host told
        // to stop (the task settled, the job was cancelled) owes nothing.
        if (row.task_state === 'active') changes.tally(row.host_id, 'timedOut');
        this.settlement.event(now, 'replica_timed_out', {
          job: row.job_id,
          task: row.task_id,
          replica: row.id,
          host: row.host_id ?? undefined,
        });
        touched.add(row.task_id);
      }
      this.settlement.reconcile(touched, now, changes);
      this.settlement.flushCounters(now, changes);
      return { timedOut: rows.length, changes: changes.toChangeSet() };
    });
  }
}
