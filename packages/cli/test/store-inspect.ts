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
    /** How many times each task was published as settled — must be exactly once. */
    settledEventsPerTask(jobId: number): Map<number, number> {
      const rows = db
        .prepare(
          `SELECT task_id, COUNT(*) AS n FROM events WHERE job_id = ? AND kind = 'task_settled' GROUP BY task_id`,
        )
        .all(jobId) as { task_id: number; n: number }[];
      return new Map(rows.map((r) => [r.task_id, r.n]));
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
