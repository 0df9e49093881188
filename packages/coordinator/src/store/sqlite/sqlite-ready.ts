/**
 * @module
 * Replicas ready to send, as the scheduler's queue takes them (sqlite-store.ts): every
 * one at start, and those a work poll has not seen yet — above a replica id it knows,
 * since ids only grow — when several coordinators share the store and another one
 * created or reissued them (services/work-discovery.ts).
 */

import { largeBlobsFromList, type ReadyReplica } from '../../policy/index.js';
import type { JobMeta } from '../rows.js';
import type { SqliteDatabase } from './sqlite-database.js';
import { largeInputsOf } from './sqlite-large-inputs.js';

export class SqliteReady {
  private readonly everyReady;
  private readonly readyAmong;
  private readonly idsAfter;
  private readonly newest;

  constructor(
    db: SqliteDatabase,
    private readonly metaOf: (jobId: number) => JobMeta,
  ) {
    const order = 'ORDER BY r.priority DESC, r.id';
    const select = readySelect(db.dialect);
    this.everyReady = db.prepare(`${select} WHERE r.state = 'unsent' ${order}`);
    // State tested through COALESCE, so that PostgreSQL's plan reads the ids from the key
    // rather than the index of every ready replica (a 4000-id window took 245 ms that way).
    this.readyAmong = db.prepare(
      `${select} WHERE r.id IN (SELECT value FROM json_each(?)) AND COALESCE(r.state, '') = 'unsent' ${order}`,
    );
    // Through the partial index of ready replicas: cheap when few are ready.
    this.idsAfter = db
      .prepare(`SELECT id FROM replicas WHERE state = 'unsent' AND id > ? ORDER BY id`)
      .pluck();
    this.newest = db.prepare('SELECT COALESCE(MAX(id), 0) FROM replicas').pluck();
  }

  /** Every replica ready to send, highest priority first, then oldest. */
  all(): ReadyReplica[] {
    return readyRows(this.everyReady.all(), this.metaOf);
  }

  /** Those of `ids` still ready. */
  among(ids: readonly number[]): ReadyReplica[] {
    if (ids.length === 0) return [];
    return readyRows(this.readyAmong.all(JSON.stringify(ids)), this.metaOf);
  }

  /** Only the ids of those above `afterId`, ascending. */
  idsAbove(afterId: number): number[] {
    return (this.idsAfter.all(afterId) as number[]).map(Number);
  }

  /** The highest replica id given out so far; 0 before the first. */
  newestId(): number {
    return Number(this.newest.get());
  }
}

/**
 * Ready replicas with the hosts holding their task, and whether a replica of it was sent
 * before. A sole replica (a task's first, of a job without redundancy) is its task's only
 * one while unsent (migration 5), so it skips both looks at its siblings: a poll that
 * finds a 20 000-task job made elsewhere read them for every row (460 ms of PostgreSQL).
 */
function readySelect(dialect: SqliteDatabase['dialect']): string {
  return `SELECT r.id, r.task_id, r.job_id, r.priority,
    ${largeInputsOf('(SELECT t.spec FROM tasks t WHERE t.id = r.task_id)', dialect)} AS large,
    CASE WHEN r.sole = 1 THEN NULL ELSE (SELECT GROUP_CONCAT(o.host_id) FROM replicas o
     WHERE o.task_id = r.task_id AND o.host_id IS NOT NULL AND o.state <> 'abandoned') END AS hosts,
    CASE WHEN r.sole = 1 THEN 0 ELSE (SELECT COUNT(*) FROM replicas o
     WHERE o.task_id = r.task_id AND o.id < r.id AND o.state <> 'unsent') END AS earlier
  FROM replicas r`;
}

function readyRows(rows: unknown[], metaOf: (jobId: number) => JobMeta): ReadyReplica[] {
  return (
    rows as {
      id: number;
      task_id: number;
      job_id: number;
      priority: number;
      hosts: string | null;
      earlier: number;
      large: string | null;
    }[]
  ).map((r) => {
    const { moduleHash, moduleSize, accountId } = metaOf(r.job_id);
    const large = largeBlobsFromList({ hash: moduleHash, size: moduleSize }, r.large);
    const ready: ReadyReplica = {
      replicaId: r.id,
      taskId: r.task_id,
      jobId: r.job_id,
      accountId,
      priority: r.priority,
      excludedHosts: r.hosts ? r.hosts.split(',').map(Number) : [],
      reissue: r.earlier > 0,
    };
    return large ? { ...ready, large } : ready;
  });
}
