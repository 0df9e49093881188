/**
 * @module
 * Which results each host had accepted without a trusted confirmation (alone, or agreed
 * only by untrusted hosts): what a catch must verify again (policy/recheck.ts). A
 * transaction notes them as it judges and writes one row per host and job before commit,
 * holding the replica ids, instead of an index entry per replica: on the adaptive fast
 * path nearly every result is accepted alone, and a per-replica index cost about 3 µs a
 * task. A catch reads the host's lists since a time and checks each replica's row again
 * (its confirmation may have changed since, or its job been purged). Rows die with their
 * job (sqlite-purge.ts).
 */

import type { AcceptedResult, Confirmation } from '../../policy/index.js';
import type { SqliteDatabase } from './sqlite-database.js';

/** Replica ids a transaction accepted unconfirmed, by host then job (`ChangeCollector.accepted`). */
export type UnconfirmedNotes = Map<number, Map<number, number[]>>;

export class SqliteUnconfirmed {
  private readonly insert;
  private readonly lists;
  private readonly replica;

  constructor(db: SqliteDatabase) {
    this.insert = db.prepare(
      'INSERT INTO unconfirmed_results (host_id, job_id, accepted_at, replica_ids) VALUES (?, ?, ?, ?)',
    );
    this.lists = db
      .prepare(
        `SELECT u.replica_ids FROM unconfirmed_results u JOIN jobs j ON j.id = u.job_id
         WHERE u.host_id = ? AND u.accepted_at >= ? AND j.module_hash = ?`,
      )
      .pluck();
    this.replica = db.prepare(
      `SELECT task_id AS taskId, accepted_at AS acceptedAt, confirmation FROM replicas
       WHERE id = ? AND host_id = ? AND confirmation IN ('alone', 'untrusted') AND accepted_at >= ?`,
    );
  }

  /** Writes the transaction's notes; call once before commit. */
  flush(notes: UnconfirmedNotes, now: number): void {
    for (const [hostId, jobs] of notes)
      for (const [jobId, ids] of jobs) this.insert.run(hostId, jobId, now, ids.join(','));
    notes.clear();
  }

  /** The host's results of one app accepted since `since` that no trusted host confirmed. */
  acceptedSince(hostId: number, app: string, since: number): AcceptedResult[] {
    const seen = new Set<number>();
    const out: AcceptedResult[] = [];
    for (const list of this.lists.all(hostId, since, app) as string[]) {
      for (const text of list.split(',')) {
        const id = Number(text);
        if (seen.has(id)) continue;
        seen.add(id);
        const row = this.replica.get(id, hostId, since) as
          | { taskId: number; acceptedAt: number; confirmation: Confirmation }
          | undefined;
        if (row) out.push({ ...row, acceptedAt: Number(row.acceptedAt) });
      }
    }
    return out;
  }
}
