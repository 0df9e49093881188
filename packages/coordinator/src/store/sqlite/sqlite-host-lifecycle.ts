/**
 * @module
 * A host's comings and goings as whole store verbs, each one transaction over the host
 * parts: joining (a host rejoining under its id, its agent restarted, hands back what it
 * no longer holds: sqlite-leases.ts), falling silent, being seen connected, an admin's
 * release from quarantine, and an account's hosts moving to another account. Apart from
 * the facade (sqlite-store.ts), which only hands verbs on, because joining and falling
 * silent compose several parts in an order that is a rule of its own: take the work
 * back, flush the counters, then set the host's in-flight count.
 */

import type { HostView, RegisterHostRequest } from '@anygrid/protocol';
import type { ChangeSet, HeartbeatOutcome, HostOrigin, JoinedHost } from '../store.js';
import { ChangeCollector } from './sqlite-change-collector.js';
import { type SqliteDatabase, statementCache, transactionRunner } from './sqlite-database.js';
import type { SqliteHeldWork } from './sqlite-held-work.js';
import type { SqliteHosts } from './sqlite-hosts.js';
import type { SqliteLeases } from './sqlite-leases.js';
import type { SqliteSettlement } from './sqlite-settlement.js';
import type { SqliteValidationRecords } from './sqlite-validation-records.js';

export class SqliteHostLifecycle {
  private readonly inTx;
  /** A prepared statement, compiled once per SQL text. */
  private readonly sql;

  constructor(
    db: SqliteDatabase,
    private readonly hosts: SqliteHosts,
    private readonly leases: SqliteLeases,
    private readonly settlement: SqliteSettlement,
    private readonly records: SqliteValidationRecords,
    private readonly heldWork: SqliteHeldWork,
  ) {
    this.inTx = transactionRunner(db);
    this.sql = statementCache(db);
  }

  /** Registers the host and marks it connected; a host rejoining under its id keeps only what it holds. */
  join(accountId: number, host: RegisterHostRequest, now: number, origin: HostOrigin): JoinedHost {
    const changes = new ChangeCollector();
    const { settlement, leases } = this;
    const joined = this.inTx(() => {
      const hostId = this.hosts.register(accountId, host, now, origin);
      this.hosts.markConnected([hostId], now);
      if (hostId !== host.hostId) return { hostId, released: 0 };
      const keep = new Set(host.holding ?? []);
      const { released, kept } = leases.release(hostId, keep, 'rejoined', now, changes);
      settlement.flushCounters(now, changes);
      leases.syncInFlight(hostId, kept);
      const bandwidth = this.hosts.bandwidth(hostId);
      return bandwidth === undefined ? { hostId, released } : { hostId, released, bandwidth };
    });
    return { ...joined, changes: changes.toChangeSet() };
  }

  /**
   * Extends the leases the host lists and, when the store has more in progress on it than
   * it listed, takes back those sent before `lostBefore` that it did not list: the answer
   * that carried them never reached the host (a coordinator killed before it was sent, a
   * connection cut), and waiting for their deadline would hold their tasks for minutes.
   * The in-flight count kept with the host makes the check free when nothing is missing.
   */
  heartbeat(
    hostId: number,
    replicaIds: readonly number[],
    now: number,
    lostBefore: number,
  ): HeartbeatOutcome {
    const changes = new ChangeCollector();
    const { settlement, leases } = this;
    const outcome = this.inTx(() => {
      const { extended, cancel, holding } = this.heldWork.extendLeases(hostId, replicaIds, now);
      if (lostBefore === Number.NEGATIVE_INFINITY) return { extended, cancel, released: 0 };
      const inFlight = this.sql('SELECT in_flight FROM hosts WHERE id = ?').pluck().get(hostId);
      if (inFlight === undefined || (inFlight as number) <= holding) {
        return { extended, cancel, released: 0 };
      }
      const listed = new Set(replicaIds);
      const { released, kept } = leases.release(hostId, listed, 'lost', now, changes, lostBefore);
      settlement.flushCounters(now, changes);
      leases.syncInFlight(hostId, kept);
      return { extended, cancel, released };
    });
    return { ...outcome, changes: changes.toChangeSet() };
  }

  /** Takes back the work of every host silent since `cutoff`. */
  releaseSilent(
    cutoff: number,
    now: number,
  ): { hosts: number[]; released: number; changes: ChangeSet } {
    const changes = new ChangeCollector();
    const { settlement, leases } = this;
    return this.inTx(() => {
      const hosts = leases.silentSince(cutoff);
      let released = 0;
      for (const hostId of hosts) {
        released += leases.release(hostId, new Set(), 'silent', now, changes).released;
      }
      settlement.flushCounters(now, changes);
      for (const hostId of hosts) {
        leases.syncInFlight(hostId, 0);
        leases.markSilent(hostId, now);
      }
      return { hosts, released, changes: changes.toChangeSet() };
    });
  }

  /** Marks connected the hosts named and those seen since `seenSince` but not marked yet. */
  markAvailable(hostIds: readonly number[], seenSince: number, now: number): number {
    const { hosts } = this;
    return this.inTx(() =>
      hosts.markConnected(new Set([...hostIds, ...hosts.seenUnmarked(seenSince, now)]), now),
    );
  }

  /** An admin's release of the host from quarantine; null for an unknown host. */
  releaseQuarantine(hostId: number, now: number): { released: boolean; host: HostView } | null {
    return this.inTx(() => {
      const released = this.hosts.releaseQuarantine(hostId);
      const host = this.hosts.view(hostId, now);
      if (!host) return null;
      if (released) {
        this.records.releasedByAdmin(hostId, now);
        this.settlement.event(now, 'host_released', { host: hostId });
      }
      return { released, host };
    });
  }

  /** Moves every host of account `from` to account `to`; returns their ids. */
  move(from: number, to: number): number[] {
    return this.inTx(() => {
      const ids = this.sql('SELECT id FROM hosts WHERE account_id = ? ORDER BY id')
        .pluck()
        .all(from) as number[];
      this.sql('UPDATE hosts SET account_id = ? WHERE account_id = ?').run(to, from);
      return ids;
    });
  }

  /** The account that owns the host, or null for an unknown host. */
  owner(hostId: number): number | null {
    const owner = this.sql('SELECT account_id FROM hosts WHERE id = ?').pluck().get(hostId);
    return (owner as number | undefined) ?? null;
  }
}
