/**
 * @module
 * Taking leases back before their deadline, on SQLite. When a host registers again under
 * its id (its agent restarted), every replica in progress on it that it does not say it
 * still holds is handed back at once (`abandoned`, as if the agent had abandoned it: no
 * error for the task, nothing against the host). When a host falls silent (missed
 * heartbeats, policy/liveness.ts), its replicas are timed out early (`timed_out`, as at
 * a deadline): a host that comes back may still report them, and the report counts
 * while the task is unsettled, as any late report does. Either way the tasks get new
 * replicas for other hosts in the same transaction, and the host's in-flight count is
 * set to what it still holds.
 */

import type { ReplicaState } from '../../policy/index.js';
import type { ChangeCollector } from './sqlite-change-collector.js';
import type { SqliteDatabase } from './sqlite-database.js';
import type { SqliteSettlement } from './sqlite-settlement.js';

interface HeldRow {
  id: number;
  sent_at: number;
  task_id: number;
  job_id: number;
  task_state: string;
}

/**
 * Why a host's replicas are taken back: it registered again, it fell silent, or its
 * heartbeat did not list them (`lost`: the answer that carried them never reached it,
 * say because the coordinator died before it was sent).
 */
export type ReleaseCause = 'rejoined' | 'silent' | 'lost';

export class SqliteLeases {
  private readonly held;
  private readonly setState;
  private readonly setInFlight;
  private readonly silentHosts;
  private readonly markLost;

  constructor(
    db: SqliteDatabase,
    private readonly settlement: SqliteSettlement,
  ) {
    // No index leads from a host to its replicas (one would cost every assignment and
    // report a write); the in-progress index is scanned instead, which only happens when
    // a host rejoins, falls silent, or holds fewer than its in-flight count says (a
    // heartbeat that leaves replicas out, sqlite-host-lifecycle.ts).
    this.held = db.prepare(
      `SELECT r.id, r.sent_at, r.task_id, r.job_id, t.state AS task_state
       FROM replicas r INDEXED BY replicas_deadline JOIN tasks t ON t.id = r.task_id
       WHERE r.state = 'in_progress' AND r.host_id = ?`,
    );
    this.setState = db.prepare('UPDATE replicas SET state = ? WHERE id = ?');
    this.setInFlight = db.prepare('UPDATE hosts SET in_flight = ? WHERE id = ?');
    // Silent since the cutoff, and not already dealt with since it was last seen.
    this.silentHosts = db
      .prepare(
        'SELECT id FROM hosts WHERE last_seen < ? AND (lost_at IS NULL OR lost_at < last_seen)',
      )
      .pluck();
    this.markLost = db.prepare('UPDATE hosts SET lost_at = ? WHERE id = ?');
  }

  /**
   * Takes back the host's replicas in progress except those in `keep` and those sent at
   * or after `sentBefore`, reissuing their tasks; call inside a transaction, then
   * `flushCounters`, then `syncInFlight`. Returns how many were taken back and how many
   * it keeps.
   */
  release(
    hostId: number,
    keep: ReadonlySet<number>,
    cause: ReleaseCause,
    now: number,
    changes: ChangeCollector,
    sentBefore = Number.POSITIVE_INFINITY,
  ): { released: number; kept: number } {
    const rows = this.held.all(hostId) as HeldRow[];
    // Only silence counts against the host; a restart or a lost answer is no fault of its own.
    const handedBack = cause !== 'silent';
    const state: ReplicaState = handedBack ? 'abandoned' : 'timed_out';
    const touched = new Set<number>();
    let kept = 0;
    for (const row of rows) {
      if (keep.has(row.id) || row.sent_at >= sentBefore) {
        kept++;
        continue;
      }
      this.setState.run(state, row.id);
      changes.tally(hostId, 'left');
      if (handedBack) changes.tally(hostId, 'abandoned');
      // As at a deadline: held against the host only while its task still needed it.
      else {
        if (row.task_state === 'active') changes.tally(hostId, 'timedOut');
        this.settlement.failing(row.task_id, row.job_id);
      }
      this.settlement.event(
        now,
        handedBack ? 'replica_released' : 'replica_timed_out',
        { job: row.job_id, task: row.task_id, replica: row.id, host: hostId },
        JSON.stringify({ cause }),
      );
      touched.add(row.task_id);
    }
    this.settlement.reconcile(touched, now, changes);
    return { released: rows.length - kept, kept };
  }

  /** Sets the host's in-flight count to what `release` found it still holds. */
  syncInFlight(hostId: number, kept: number): void {
    this.setInFlight.run(kept, hostId);
  }

  /** Hosts last seen before `cutoff` whose replicas were not taken back since. */
  silentSince(cutoff: number): number[] {
    return this.silentHosts.all(cutoff) as number[];
  }

  /** Notes that the host's replicas were taken back for its silence at `now`. */
  markSilent(hostId: number, now: number): void {
    this.markLost.run(now, hostId);
  }
}
