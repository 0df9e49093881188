/**
 * @module
 * Validation records (policy/validation-record.ts) in SQLite, one row per host and app,
 * and what a catch writes: the host's quarantine mark and the results to verify again.
 * Within a transaction the records it changed live in its `ChangeCollector` and are
 * written once before commit, so a batch of a thousand reports of one host reads and
 * writes its record once; a transaction that throws leaves nothing behind.
 */

import { NO_PARTNERS, newValidationRecord, type ValidationRecord } from '../../policy/index.js';
import type { SqliteDatabase } from './sqlite-database.js';

/** A host's record for one app (nulls when it has none yet) and its account's stake. */
interface RecordRow {
  valid: number;
  invalid: number;
  errored: number;
  timed_out: number;
  abandoned: number;
  alone: number;
  streak: number;
  consecutive_valid: number;
  strikes: number;
  since: number;
  /** Partner accounts, comma-separated (migration 29). */
  partners: string;
  /** Its account's stake; NULL: never staked. */
  stake: number | null;
}

/** A host without a record for the app: only its stake is read. */
type NoRecordRow = { [K in keyof RecordRow]: K extends 'stake' ? number | null : null };

/** How the reason of a quarantine set by the validator begins. */
export const QUARANTINE_REASON_PREFIX = 'validation: ';

/** A record as a transaction holds it, and whether it must be written. */
interface CachedRecord {
  record: ValidationRecord;
  dirty: boolean;
}

/**
 * Records a transaction read or changed, by app then host: a lookup per judged replica
 * that hashes a number, not a 70-character string.
 */
export type RecordCache = Map<string, Map<number, CachedRecord>>;

export class SqliteValidationRecords {
  private readonly read;
  private readonly write;
  private readonly quarantineHost;
  private readonly releaseHost;
  private readonly clearStrikes;

  constructor(db: SqliteDatabase) {
    // One read for the record and the stake, both keyed by the host: the stake shortens
    // its warm-up (policy/stake-trust.ts), and a slash must be felt at the next read.
    this.read = db.prepare(
      `SELECT v.valid, v.invalid, v.errored, v.timed_out, v.abandoned, v.alone, v.streak,
         v.consecutive_valid, v.strikes, v.since, v.partners, b.balance AS stake
       FROM hosts h
       LEFT JOIN validation_records v ON v.host_id = h.id AND v.app = ?
       LEFT JOIN ledger_balances b ON b.kind = 'stake' AND b.owner = h.account_id
       WHERE h.id = ?`,
    );
    this.write = db.prepare(
      `INSERT INTO validation_records (host_id, app, valid, invalid, errored, timed_out, abandoned, alone,
         streak, consecutive_valid, strikes, since, partners, partner_count)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (host_id, app) DO UPDATE SET valid = excluded.valid, invalid = excluded.invalid,
         errored = excluded.errored, timed_out = excluded.timed_out, abandoned = excluded.abandoned,
         alone = excluded.alone, streak = excluded.streak, consecutive_valid = excluded.consecutive_valid,
         strikes = excluded.strikes, since = excluded.since, partners = excluded.partners,
         partner_count = excluded.partner_count`,
    );
    this.quarantineHost = db.prepare(
      'UPDATE hosts SET quarantined_at = ?, quarantine_reason = ? WHERE id = ? AND quarantined_at IS NULL',
    );
    this.releaseHost = db.prepare(
      `UPDATE hosts SET quarantined_at = NULL, quarantine_reason = NULL
       WHERE id = ? AND quarantine_reason LIKE '${QUARANTINE_REASON_PREFIX}%'`,
    );
    // An admin's release, on every app's record (policy/reputation.ts, releaseFromQuarantine).
    this.clearStrikes = db.prepare(
      `UPDATE validation_records SET strikes = 0, streak = 0, consecutive_valid = 0, since = ?,
         partners = '', partner_count = 0
       WHERE host_id = ?`,
    );
  }

  /** The stored record, or a new one when the host never ran the app under a compared job. */
  stored(hostId: number, app: string, now: number): ValidationRecord {
    const row = this.read.get(app, hostId) as RecordRow | NoRecordRow | undefined;
    const stake = row?.stake == null ? 0 : Number(row.stake);
    if (row?.valid == null) return { ...newValidationRecord(now), stake };
    return {
      valid: row.valid,
      invalid: row.invalid,
      errored: row.errored,
      timedOut: row.timed_out,
      abandoned: row.abandoned,
      alone: row.alone,
      streak: row.streak,
      consecutiveValid: row.consecutive_valid,
      strikes: row.strikes,
      since: Number(row.since),
      partners: row.partners === '' ? NO_PARTNERS : row.partners.split(',').map(Number),
      stake,
    };
  }

  /** The record as this transaction sees it. */
  get(cache: RecordCache, hostId: number, app: string, now: number): ValidationRecord {
    let hosts = cache.get(app);
    if (!hosts) {
      hosts = new Map();
      cache.set(app, hosts);
    }
    let entry = hosts.get(hostId);
    if (!entry) {
      entry = { record: this.stored(hostId, app, now), dirty: false };
      hosts.set(hostId, entry);
    }
    return entry.record;
  }

  set(cache: RecordCache, hostId: number, app: string, record: ValidationRecord): void {
    let hosts = cache.get(app);
    if (!hosts) {
      hosts = new Map();
      cache.set(app, hosts);
    }
    const entry = hosts.get(hostId);
    if (entry) {
      entry.record = record;
      entry.dirty = true;
    } else hosts.set(hostId, { record, dirty: true });
  }

  /** Writes the records the transaction changed; call once before commit. */
  flush(cache: RecordCache): void {
    for (const [app, hosts] of cache) {
      for (const [hostId, { record: r, dirty }] of hosts) {
        if (!dirty) continue;
        this.write.run(
          hostId,
          app,
          r.valid,
          r.invalid,
          r.errored,
          r.timedOut,
          r.abandoned,
          r.alone,
          r.streak,
          r.consecutiveValid,
          r.strikes,
          r.since,
          r.partners.join(','),
          r.partners.length,
        );
      }
    }
    cache.clear();
  }

  /** Marks a host quarantined: the assignment refuses it work until an admin releases it. */
  quarantine(hostId: number, reason: string, now: number): boolean {
    return (
      this.quarantineHost.run(now, `${QUARANTINE_REASON_PREFIX}${reason}`, hostId).changes === 1
    );
  }

  /**
   * Lifts a quarantine the validator set, when a re-check showed that strikes behind it
   * were undeserved (the host had been outvoted by cheats). An admin's or another
   * rule's quarantine stays.
   */
  release(hostId: number): boolean {
    return this.releaseHost.run(hostId).changes === 1;
  }

  /**
   * After an admin lifted a host's quarantine: its records start again as
   * `releaseFromQuarantine` has them (no strikes, the warm-up again), or its next invalid
   * result would quarantine it at once.
   */
  releasedByAdmin(hostId: number, now: number): void {
    this.clearStrikes.run(now, hostId);
  }
}
