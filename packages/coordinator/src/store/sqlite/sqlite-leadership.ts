/**
 * @module
 * Named leases between coordinators sharing one store (migration 26): the `leader` lease
 * says which one runs the duties that must run once (policy/leadership.ts). A claim is
 * an insert that does nothing when the row exists, then an update guarded by the rule
 * of `mayTakeLease` (free, the claimant's own, or run out), in one transaction: of two
 * claimants racing for a lease that ran out, the store's write order makes one the
 * holder and the other reads it back. Portable SQL, the same on PostgreSQL.
 * (Not sqlite-leases.ts, which holds the leases providers have on replicas.)
 */

import type { LeaseState } from '../../policy/index.js';
import type { SqliteDatabase } from './sqlite-database.js';

interface LeaseRow {
  name: string;
  holder: string;
  expiresAt: number;
  term: number;
}

export class SqliteLeadership {
  private readonly insert;
  private readonly take;
  private readonly read;
  private readonly drop;
  private readonly live;

  constructor(db: SqliteDatabase) {
    this.insert = db.prepare(
      `INSERT INTO leases (name, holder, expires_at, taken_at, term) VALUES (?, ?, ?, ?, 1)
       ON CONFLICT (name) DO NOTHING`,
    );
    // The term moves only when the lease changes hands, so a renewal keeps it.
    this.take = db.prepare(
      `UPDATE leases SET
         term = CASE WHEN holder = ? THEN term ELSE term + 1 END,
         taken_at = CASE WHEN holder = ? THEN taken_at ELSE ? END,
         holder = ?, expires_at = ?
       WHERE name = ? AND (holder = ? OR expires_at <= ? OR holder = ?)`,
    );
    this.read = db.prepare(
      `SELECT name, holder, expires_at AS "expiresAt", term FROM leases WHERE name = ?`,
    );
    // Run out at once rather than deleted: the term goes on counting.
    this.drop = db.prepare(
      'UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ? AND expires_at > ?',
    );
    // A prefix compared as such, not with LIKE (whose `_` is a wildcard) nor as a range
    // (PostgreSQL's collation may order punctuation apart from SQLite's bytes).
    this.live = db
      .prepare('SELECT holder FROM leases WHERE substr(name, 1, ?) = ? AND expires_at > ?')
      .pluck();
  }

  /**
   * Takes or renews the lease for `holder` until `expiresAt` if it may, or takes it from
   * `supersedes` (a holder known dead); the lease as it stands after.
   */
  claim(
    name: string,
    holder: string,
    now: number,
    expiresAt: number,
    supersedes?: string,
  ): LeaseState {
    if (this.insert.run(name, holder, expiresAt, now).changes === 0) {
      const dead = supersedes ?? holder;
      this.take.run(holder, holder, now, holder, expiresAt, name, holder, now, dead);
    }
    return this.get(name) as LeaseState;
  }

  /** Ends the holder's lease now (a clean shutdown); false when it did not hold it. */
  release(name: string, holder: string, now: number): boolean {
    return this.drop.run(now, name, holder, now).changes > 0;
  }

  /** Holders of the leases named `prefix…` still running at `now`, sorted. */
  liveHolders(prefix: string, now: number): string[] {
    return (this.live.all(prefix.length, prefix, now) as string[]).map(String).sort();
  }

  get(name: string): LeaseState | null {
    const row = this.read.get(name) as LeaseRow | undefined;
    if (!row) return null;
    return {
      name: row.name,
      holder: row.holder,
      expiresAt: Number(row.expiresAt),
      term: Number(row.term),
    };
  }
}
