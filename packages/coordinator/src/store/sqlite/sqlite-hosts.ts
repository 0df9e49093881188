/**
 * @module
 * Hosts in SQLite: registration (with the address the coordinator saw and the cap on
 * active hosts per account), the standing the work allowance reads, the quota charged
 * as replicas are sent, the replica counts each transaction adds (once per host per
 * transaction), the views of GET /v1/hosts, and an admin's release from quarantine.
 */

import {
  HostLimitError,
  type HostList,
  type HostView,
  type RegisterHostRequest,
  WASM_VARIANT,
} from '@anygrid/protocol';
import {
  type DailyQuotaParams,
  DEFAULT_DAILY_QUOTA,
  networkPrefix,
  nextQuota,
  utcDay,
} from '../../policy/index.js';
import {
  ACCOUNT_TOTALS,
  type AccountTotalsRow,
  accountReputation,
  HOST_COLUMNS,
  type HostRow,
  type HostTally,
  hostView,
  STANDING_COLUMNS,
  type StandingRow,
} from '../host-rows.js';
import type { HostOrigin, Principal } from '../store.js';
import type { SqliteDatabase } from './sqlite-database.js';

/** A host counts against its account's cap while it was seen this recently. */
export const ACTIVE_HOST_MS = 24 * 3_600_000;

export class SqliteHosts {
  private readonly row;
  private readonly standingRow;
  private readonly allRows;
  private readonly accountRows;
  private readonly allTotals;
  private readonly accountTotals;
  private readonly reRegister;
  private readonly insert;
  private readonly activeCount;
  private readonly charge;
  private readonly quotaOf;
  private readonly addTally;
  private readonly release;

  constructor(
    db: SqliteDatabase,
    readonly quota: DailyQuotaParams = DEFAULT_DAILY_QUOTA,
  ) {
    const from = 'FROM hosts h JOIN accounts a ON a.id = h.account_id';
    this.row = db.prepare(`SELECT ${HOST_COLUMNS} ${from} WHERE h.id = ?`);
    this.standingRow = db.prepare(`SELECT ${STANDING_COLUMNS} FROM hosts WHERE id = ?`);
    this.allRows = db.prepare(`SELECT ${HOST_COLUMNS} ${from} ORDER BY h.id DESC LIMIT ?`);
    this.accountRows = db.prepare(
      `SELECT ${HOST_COLUMNS} ${from} WHERE h.account_id = ? ORDER BY h.id DESC LIMIT ?`,
    );
    const totals = `SELECT ${ACCOUNT_TOTALS} ${from}`;
    this.allTotals = db.prepare(`${totals} GROUP BY a.id ORDER BY a.id`);
    this.accountTotals = db.prepare(`${totals} WHERE h.account_id = ? GROUP BY a.id`);
    this.reRegister = db.prepare(
      `UPDATE hosts SET name = ?, platform = ?, cores = ?, memory_bytes = ?, slots = ?, agent_version = ?,
         last_seen = ?, address = ?, net_prefix = ?, runtimes = ?
       WHERE id = ? AND account_id = ?`,
    );
    this.insert = db.prepare(
      `INSERT INTO hosts (name, platform, cores, memory_bytes, slots, agent_version, last_seen,
         address, net_prefix, runtimes, account_id, created_at, quota)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.activeCount = db
      .prepare('SELECT COUNT(*) FROM hosts WHERE account_id = ? AND last_seen >= ?')
      .pluck();
    // One write per assignment batch: the host was seen, and sent `n` more today.
    this.charge = db.prepare(
      `UPDATE hosts SET last_seen = ?,
         quota_used = CASE WHEN quota_day = ? THEN quota_used ELSE 0 END + ?, quota_day = ?,
         in_flight = in_flight + ?
       WHERE id = ?`,
    );
    this.quotaOf = db.prepare('SELECT quota FROM hosts WHERE id = ?').pluck();
    this.addTally = db.prepare(
      `UPDATE hosts SET n_valid = n_valid + ?, n_invalid = n_invalid + ?, n_errored = n_errored + ?,
         n_timed_out = n_timed_out + ?, n_abandoned = n_abandoned + ?, n_alone = n_alone + ?, quota = ?,
         quota_used = MAX(0, quota_used - ?), in_flight = MAX(0, in_flight - ?)
       WHERE id = ?`,
    );
    this.release = db.prepare(
      `UPDATE hosts SET quarantined_at = NULL, quarantine_reason = NULL
       WHERE id = ? AND quarantined_at IS NOT NULL`,
    );
  }

  /** Registers a host, or refreshes one the same account registered before; throws HostLimitError past the cap. */
  register(accountId: number, host: RegisterHostRequest, now: number, origin: HostOrigin): number {
    const address = origin.address ?? null;
    const prefix = address === null ? null : networkPrefix(address);
    const values = [
      host.name,
      host.platform,
      host.cores,
      host.memoryBytes,
      host.slots,
      host.agentVersion ?? null,
      now,
      address,
      prefix,
      storedRuntimes(host.runtimes),
    ];
    if (host.hostId !== undefined) {
      if (this.reRegister.run(...values, host.hostId, accountId).changes === 1) return host.hostId;
    }
    const max = origin.maxHostsPerAccount;
    if (
      max !== undefined &&
      (this.activeCount.get(accountId, now - ACTIVE_HOST_MS) as number) >= max
    ) {
      throw new HostLimitError(max);
    }
    return Number(this.insert.run(...values, accountId, now, this.quota.initial).lastInsertRowid);
  }

  get(hostId: number): HostRow | undefined {
    return this.row.get(hostId) as HostRow | undefined;
  }

  /** What the assignment reads of a host: its account, address, quota and record. */
  standing(hostId: number): StandingRow | undefined {
    return this.standingRow.get(hostId) as StandingRow | undefined;
  }

  /** Records that `sent` replicas went to the host at `now` (its daily quota), and that it was seen. */
  chargeSent(hostId: number, sent: number, now: number): void {
    const day = utcDay(now);
    this.charge.run(now, day, sent, day, sent, hostId);
  }

  /** Adds a transaction's tallies, one write per host, and moves each host's quota by them. */
  addTallies(tallies: ReadonlyMap<number, HostTally>): void {
    for (const [hostId, t] of tallies) {
      const current = (this.quotaOf.get(hostId) as number | null | undefined) ?? this.quota.initial;
      // A re-check that overturns a verdict moves counts (negative here), not the quota.
      const accepted = Math.max(0, t.valid + t.alone);
      const quota = nextQuota(current, accepted, Math.max(0, t.errored + t.timedOut), this.quota);
      this.addTally.run(
        t.valid,
        t.invalid,
        t.errored,
        t.timedOut,
        t.abandoned,
        t.alone,
        quota,
        // Answered and handed-back replicas no longer count against today's quota.
        t.answered + t.abandoned,
        t.left,
        hostId,
      );
    }
  }

  /**
   * The hosts the principal may see (admins: all, providers: their account's), newest
   * `limit` first, and the totals of every account among them (over all its hosts).
   */
  list(principal: Principal, limit: number, now: number): HostList {
    const admin = principal.role === 'admin';
    const rows = (
      admin ? this.allRows.all(limit) : this.accountRows.all(principal.accountId, limit)
    ) as HostRow[];
    const totals = (
      admin ? this.allTotals.all() : this.accountTotals.all(principal.accountId)
    ) as AccountTotalsRow[];
    return {
      hosts: rows.map((r) => hostView(r, now, this.quota)),
      accounts: totals.map(accountReputation),
    };
  }

  /** One host if the principal may see it, else null. */
  view(hostId: number, now: number, principal?: Principal): HostView | null {
    const row = this.get(hostId);
    if (!row) return null;
    if (principal && principal.role !== 'admin' && Number(row.account_id) !== principal.accountId) {
      return null;
    }
    return hostView(row, now, this.quota);
  }

  /** Clears the host's quarantine; false if it was not quarantined. */
  releaseQuarantine(hostId: number): boolean {
    return this.release.run(hostId).changes === 1;
  }
}

/** The runtimes a host offers beyond wasm32-wasi, as the `runtimes` column holds them (NULL: none). */
function storedRuntimes(runtimes: RegisterHostRequest['runtimes']): string | null {
  const extra = runtimes.filter((r) => r !== WASM_VARIANT);
  return extra.length === 0 ? null : [...new Set(extra)].sort().join(',');
}
