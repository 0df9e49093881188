/**
 * @module
 * Read-only look into a coordinator's SQLite file, for assertions about what the store
 * holds (placement of replicas, exactly-once results) that the API does not expose.
 */

import { join } from 'node:path';
import Database from 'better-sqlite3';

export function inspectStore(dataDir: string) {
  const db = new Database(join(dataDir, 'anygrid.db'), { readonly: true, fileMustExist: true });
  return {
    /** Tasks that had two replicas on one host — must always be empty. */
    sameHostPairs(jobId: number): unknown[] {
      return db
        .prepare(
          `SELECT task_id, host_id, COUNT(*) AS n FROM replicas
           WHERE job_id = ? AND host_id IS NOT NULL GROUP BY task_id, host_id HAVING n > 1`,
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
