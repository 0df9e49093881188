/**
 * @module
 * Hosts in SQLite: registration (with the address the coordinator saw and the cap on
 * active hosts per account), the standing the work allowance reads, the quota charged
 * as replicas are sent, the replica counts and timeliness each transaction adds (once per
 * host per transaction), the quarter-hours a host was connected and the bandwidth its
 * agent measured, the views of GET /v1/hosts, and an admin's release from quarantine.
 */

import {
  HostLimitError,
  type HostList,
  type HostUpdate,
  type HostView,
  type RegisterHostRequest,
  WASM_VARIANT,
} from '@anygrid/protocol';
import {
  type AvailabilityRecord,
  availabilitySlot,
  type DailyQuotaParams,
  DEFAULT_DAILY_QUOTA,
  foldTurnaround,
  markConnected,
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
  private readonly updateRow;
  private readonly availRow;
  private readonly setAvail;
  private readonly seenUnmarkedIds;
  private readonly setBandwidth;
  private readonly bandwidthRow;

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
         last_seen = ?, address = ?, net_prefix = ?, free_disk_bytes = ?, speed = ?, accelerators = ?,
         region = ?, runtimes = ?, ask_cpu_second = ?, ask_mem_gib_second = ?, ask_gpu_second = ?
       WHERE id = ? AND account_id = ?`,
    );
    this.insert = db.prepare(
      `INSERT INTO hosts (name, platform, cores, memory_bytes, slots, agent_version, last_seen,
         address, net_prefix, free_disk_bytes, speed, accelerators, region, runtimes,
         ask_cpu_second, ask_mem_gib_second, ask_gpu_second, account_id, created_at, quota)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
    this.quotaOf = db.prepare('SELECT quota, turnaround_ms FROM hosts WHERE id = ?');
    this.addTally = db.prepare(
      `UPDATE hosts SET n_valid = n_valid + ?, n_invalid = n_invalid + ?, n_errored = n_errored + ?,
         n_timed_out = n_timed_out + ?, n_abandoned = n_abandoned + ?, n_alone = n_alone + ?, quota = ?,
         quota_used = MAX(0, quota_used - ?), in_flight = MAX(0, in_flight - ?),
         n_on_time = n_on_time + ?, turnaround_ms = ?
       WHERE id = ?`,
    );
    this.availRow = db.prepare(
      'SELECT avail_slot AS slot, avail_bits AS bits FROM hosts WHERE id = ?',
    );
    this.setAvail = db.prepare('UPDATE hosts SET avail_slot = ?, avail_bits = ? WHERE id = ?');
    this.seenUnmarkedIds = db
      .prepare(
        'SELECT id FROM hosts WHERE last_seen >= ? AND (avail_slot IS NULL OR avail_slot <> ?)',
      )
      .pluck();
    this.setBandwidth = db.prepare('UPDATE hosts SET bandwidth = ? WHERE id = ?');
    this.bandwidthRow = db.prepare('SELECT bandwidth FROM hosts WHERE id = ?').pluck();
    // COALESCE: a field the update leaves out keeps its value.
    this.updateRow = db.prepare(
      `UPDATE hosts SET free_disk_bytes = COALESCE(?, free_disk_bytes), speed = COALESCE(?, speed),
         ask_cpu_second = COALESCE(?, ask_cpu_second), ask_mem_gib_second = COALESCE(?, ask_mem_gib_second),
         ask_gpu_second = COALESCE(?, ask_gpu_second)
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
      host.freeDiskBytes ?? null,
      host.speed ?? null,
      host.accelerators === undefined || host.accelerators.length === 0
        ? null
        : JSON.stringify(host.accelerators),
      host.region ?? null,
      storedRuntimes(host.runtimes),
      // A host that names no asks is a volunteer: asks zero (a re-registration too).
      host.asks?.cpuSecond ?? 0,
      host.asks?.memGiBSecond ?? 0,
      host.asks?.gpuSecond ?? 0,
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

  update(hostId: number, update: HostUpdate): void {
    this.updateRow.run(
      update.freeDiskBytes ?? null,
      update.speed ?? null,
      update.asks?.cpuSecond ?? null,
      update.asks?.memGiBSecond ?? null,
      update.asks?.gpuSecond ?? null,
      hostId,
    );
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

  /**
   * Adds a transaction's tallies, one write per host, and moves each host's quota and
   * turnaround mean by them (read with the quota: no read more per host).
   */
  addTallies(tallies: ReadonlyMap<number, HostTally>): void {
    for (const [hostId, t] of tallies) {
      const row = this.quotaOf.get(hostId) as
        | { quota: number | null; turnaround_ms: number | null }
        | undefined;
      const current = row?.quota ?? this.quota.initial;
      const turnaround = foldTurnaround(row?.turnaround_ms ?? null, t.turnaroundMs, t.turnarounds);
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
        t.onTime,
        turnaround,
        hostId,
      );
    }
  }

  /**
   * Marks the hosts as connected in the current quarter-hour (policy/availability.ts): a
   * write only for a host not marked in it yet. Call inside a transaction.
   */
  markConnected(hostIds: Iterable<number>, now: number): number {
    let marked = 0;
    for (const hostId of hostIds) {
      const row = this.availRow.get(hostId) as
        | { slot: number | null; bits: string | null }
        | undefined;
      if (row === undefined) continue;
      const record: AvailabilityRecord | null =
        row.slot === null || row.bits === null ? null : { slot: Number(row.slot), bits: row.bits };
      const next = markConnected(record, now);
      if (next === null) continue;
      this.setAvail.run(next.slot, next.bits, hostId);
      marked++;
    }
    return marked;
  }

  /** Hosts seen (a registration, pull, report or heartbeat wrote `last_seen`) since `since`, not yet marked connected in the current quarter-hour. */
  seenUnmarked(since: number, now: number): number[] {
    return this.seenUnmarkedIds.all(since, availabilitySlot(now)) as number[];
  }

  /** The download bandwidth kept for the host, bytes per second; undefined when none. */
  bandwidth(hostId: number): number | undefined {
    const value = this.bandwidthRow.get(hostId) as number | null | undefined;
    return value == null ? undefined : Number(value);
  }

  /** Keeps the download bandwidth the host's agent measured, bytes per second. */
  recordBandwidth(hostId: number, bytesPerS: number): void {
    this.setBandwidth.run(bytesPerS, hostId);
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
