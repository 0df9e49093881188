/**
 * @module
 * A look into a coordinator's store — its data directory's SQLite file, or a PostgreSQL
 * store's URL — for assertions about what the store holds (placement of replicas,
 * exactly-once results) that the API does not expose. The queries are the store's
 * portable SQL, run through the same database interface as the store's.
 */

import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PgDatabase } from '../../coordinator/src/store/postgres/pg-database.js';
import { parsePostgresUrl } from '../../coordinator/src/store/postgres/postgres-store.js';

function open(place: string) {
  if (!/^postgres(ql)?:\/\//.test(place)) {
    return new Database(join(place, 'anygrid.db'), { readonly: true, fileMustExist: true });
  }
  const { conninfo, schema } = parsePostgresUrl(place);
  const db = new PgDatabase(conninfo, new Set());
  if (schema !== undefined) db.exec(`SET search_path TO ${schema}`);
  return db;
}

/** `place`: a coordinator's data directory, or its `postgres://` store URL. */
export function inspectStore(place: string) {
  const db = open(place);
  return {
    /**
     * Tasks that had two replicas on one host — must always be empty. One handed back
     * unrun (abandoned: a rejoin released a replica the host never got) does not count:
     * it never voted, and the host may take the task again.
     */
    sameHostPairs(jobId: number): unknown[] {
      return db
        .prepare(
          `SELECT task_id, host_id, COUNT(*) AS n FROM replicas
           WHERE job_id = ? AND host_id IS NOT NULL AND state <> 'abandoned'
           GROUP BY task_id, host_id HAVING COUNT(*) > 1`,
        )
        .all(jobId);
    },
    /**
     * Each settled task's cursor in the result stream, and the cursor counter the store
     * keeps: every task settles once, with a cursor of its own, never above the counter.
     */
    settledCursors(jobId: number): { cursors: Map<number, number>; counter: number } {
      const rows = db
        .prepare('SELECT id, settled_seq FROM tasks WHERE job_id = ? AND settled_seq IS NOT NULL')
        .all(jobId) as { id: number; settled_seq: number }[];
      const counter = db
        .prepare(`SELECT value FROM counters WHERE name = 'result_cursor'`)
        .pluck()
        .get() as number;
      return { cursors: new Map(rows.map((r) => [r.id, r.settled_seq])), counter };
    },
    replicaStates(jobId: number): Record<string, number> {
      const rows = db
        .prepare('SELECT state, COUNT(*) AS n FROM replicas WHERE job_id = ? GROUP BY state')
        .all(jobId) as {
        state: string;
        n: number;
      }[];
      return Object.fromEntries(rows.map((r) => [r.state, r.n]));
    },
    hostsOfValidReplicas(jobId: number): number[] {
      return db
        .prepare(`SELECT DISTINCT host_id FROM replicas WHERE job_id = ? AND validation = 'valid'`)
        .pluck()
        .all(jobId) as number[];
    },
    invalidReplicaHosts(jobId: number): number[] {
      return db
        .prepare(`SELECT host_id FROM replicas WHERE job_id = ? AND validation = 'invalid'`)
        .pluck()
        .all(jobId) as number[];
    },
    query<T = unknown>(sql: string, ...params: unknown[]): T[] {
      return db.prepare(sql).all(...params) as T[];
    },
    close: () => db.close(),
  };
}
