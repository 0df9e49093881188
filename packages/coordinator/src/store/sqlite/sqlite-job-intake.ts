/**
 * @module
 * How a job and its tasks enter the SQLite store, inside the caller's transaction: the
 * job row with its implicit app, version and variant; its tasks in multi-row inserts
 * with their first replicas (or, for tasks with parents, the graph's links); the blobs
 * they name (retention) and the large ones (locality); and the next part of a job sent
 * in parts.
 */

import { randomInt } from 'node:crypto';
import { ConflictError, InvalidRequestError, NotFoundError } from '@anygrid/protocol';
import { type LargeBlob, largeBlobs } from '../../policy/index.js';
import type { JobMeta } from '../rows.js';
import type { NewJob } from '../store.js';
import type { SqliteBlobRefs } from './sqlite-blob-refs.js';
import type { ChangeCollector } from './sqlite-change-collector.js';
import { ROWS_PER_INSERT, rows, type SqliteDatabase, statementCache } from './sqlite-database.js';
import type { SqliteSettlement } from './sqlite-settlement.js';

const WASM_PLATFORM = 'wasm32-wasi';

export class SqliteJobIntake {
  /** A prepared statement, compiled once per SQL text. */
  private readonly sql;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly settlement: SqliteSettlement,
    private readonly blobRefs: SqliteBlobRefs,
    private readonly metaOf: (jobId: number) => JobMeta,
    /** Drops a job's cached meta: its graph flag changed. */
    private readonly forget: (jobId: number) => void,
  ) {
    this.sql = statementCache(db);
  }

  /** Writes a job with its first tasks; returns its id. */
  createJob(accountId: number, job: NewJob, now: number, changes: ChangeCollector): number {
    const total = job.tasksTotal ?? job.tasks.length;
    const variantId = this.upsertVariant(accountId, job, now);
    const info = this.sql(
      `INSERT INTO jobs (account_id, name, variant_id, module_hash, module_size, argv0, signature, policy, priority, state, tasks_total, created_at, parts_until, requirements, variants)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?)`,
    ).run(
      accountId,
      job.name ?? `job-${job.module.hash.slice(0, 8)}`,
      variantId,
      job.module.hash,
      job.module.size,
      job.argv0 ?? null,
      job.signature ? JSON.stringify(job.signature) : null,
      JSON.stringify(job.policy),
      job.policy.priority,
      total,
      now,
      total > job.tasks.length ? (job.partsUntil ?? null) : null,
      job.requirements === undefined ? null : JSON.stringify(job.requirements),
      job.variants === undefined ? null : 1,
    );
    const id = Number(info.lastInsertRowid);
    this.blobRefs.addJob(id, job.module.hash, job.policy);
    if (job.variants !== undefined) {
      this.settlement.variants.write(id, job.module, job.variants);
      for (const v of job.variants) this.blobRefs.add(v.module.hash, id);
    }
    this.settlement.event(now, 'job_created', { job: id }, JSON.stringify({ tasks: total }));
    this.insertTasks(id, 0, job.tasks, job.policy.redundancy, now, changes);
    return id;
  }

  /** Adds the next part of a job sent in parts; returns how many tasks were new. */
  addTasks(
    jobId: number,
    from: number,
    tasks: NewJob['tasks'],
    now: number,
    changes: ChangeCollector,
    partsUntil?: number,
  ): number {
    const job = this.sql('SELECT state, tasks_total FROM jobs WHERE id = ?').get(jobId) as
      | { state: string; tasks_total: number }
      | undefined;
    if (job === undefined) throw new NotFoundError('job', jobId);
    if (job.state !== 'running') {
      throw new ConflictError(`Job ${jobId} is ${job.state}; it takes no more tasks.`, {
        jobId,
        state: job.state,
      });
    }
    // Tasks are numbered 0… in the order they arrived, so the next index is a count.
    const stored = this.sql('SELECT COALESCE(MAX(idx) + 1, 0) FROM tasks WHERE job_id = ?')
      .pluck()
      .get(jobId) as number;
    if (from > stored) {
      throw new ConflictError(
        `Job ${jobId} has ${stored} tasks; send the part that starts at index ${stored} first.`,
        { jobId, expectedFrom: stored },
      );
    }
    if (from + tasks.length > job.tasks_total) {
      throw new InvalidRequestError(
        `Job ${jobId} was created with totalTasks ${job.tasks_total}; tasks ${from}…${from + tasks.length - 1} go past it.`,
        { jobId, totalTasks: job.tasks_total },
      );
    }
    const fresh = tasks.slice(stored - from);
    const { redundancy } = this.metaOf(jobId).policy;
    this.insertTasks(jobId, stored, fresh, redundancy, now, changes);
    const complete = stored + fresh.length === job.tasks_total;
    this.sql('UPDATE jobs SET parts_until = ? WHERE id = ?').run(
      complete ? null : (partsUntil ?? null),
      jobId,
    );
    return fresh.length;
  }

  /**
   * Inserts tasks and their first replicas, up to `ROWS_PER_INSERT` rows per statement:
   * one statement per row cost ~1.2 µs more per task (binding, stepping, answering).
   * Rows inserted by one statement get consecutive ids ending at its last insert id,
   * since an INTEGER PRIMARY KEY takes the largest id so far plus one; so do those of
   * successive statements of one transaction. Tasks with `dependsOn` get no replica here:
   * the graph (sqlite-graph.ts) links them to their parents and releases them when it can.
   */
  private insertTasks(
    jobId: number,
    firstIndex: number,
    tasks: NewJob['tasks'],
    redundancy: number,
    now: number,
    changes: ChangeCollector,
  ): void {
    const { settlement } = this;
    const graph = tasks.some(hasParents);
    // Before any settlement of this transaction reads the job's flag from the cache.
    if (graph && settlement.graph.markGraph(jobId)) this.forget(jobId);
    let firstTaskId = 0;
    this.blobRefs.addTasks(jobId, tasks);
    for (let start = 0; start < tasks.length; start += ROWS_PER_INSERT) {
      const count = Math.min(ROWS_PER_INSERT, tasks.length - start);
      const params: unknown[] = [];
      for (let k = 0; k < count; k++) {
        const task = tasks[start + k] as NewJob['tasks'][number];
        params.push(jobId, firstIndex + start + k, JSON.stringify(task), randomInt(2 ** 31));
      }
      const insert = this.sql(
        `INSERT INTO tasks (job_id, idx, spec, seed, state) VALUES ${rows(count, "(?, ?, ?, ?, 'active')")}`,
      );
      const first = Number(insert.run(params).lastInsertRowid) - count + 1;
      if (start === 0) firstTaskId = first;
      const large = this.largeOf(jobId, tasks, start, count);
      if (!graph) {
        settlement.replicas.createFirstReplicas(
          first,
          count,
          jobId,
          redundancy,
          now,
          changes,
          large,
        );
        continue;
      }
      // The graph names tasks by firstTaskId + position: the ids must run on unbroken.
      if (first !== firstTaskId + start)
        throw new Error('task ids of one insert are not consecutive');
      // Runs of tasks without parents keep their replicas' batched insert.
      for (let k = 0; k < count; ) {
        if (hasParents(tasks[start + k] as NewJob['tasks'][number])) {
          k++;
          continue;
        }
        let end = k + 1;
        while (end < count && !hasParents(tasks[start + end] as NewJob['tasks'][number])) end++;
        const run = large?.slice(k, end);
        settlement.replicas.createFirstReplicas(
          first + k,
          end - k,
          jobId,
          redundancy,
          now,
          changes,
          run,
        );
        k = end;
      }
    }
    if (!graph) return;
    settlement.graph.link(
      jobId,
      firstTaskId,
      firstIndex,
      tasks,
      settlement.graphHooks(now, changes),
    );
    settlement.flushCounters(now, changes);
  }

  /** Each task's large blobs (locality), or undefined when none of them has any. */
  private largeOf(
    jobId: number,
    tasks: NewJob['tasks'],
    start: number,
    count: number,
  ): (LargeBlob[] | undefined)[] | undefined {
    const { moduleHash, moduleSize } = this.metaOf(jobId);
    const module = { hash: moduleHash, size: moduleSize };
    let out: (LargeBlob[] | undefined)[] | undefined;
    for (let k = 0; k < count; k++) {
      const large = largeBlobs(module, tasks[start + k] as NewJob['tasks'][number]);
      if (!large) continue;
      out ??= new Array(count);
      out[k] = large;
    }
    return out;
  }

  /** Apps, versions and variants are implicit for now: the job's name is the app, the module hash the version. */
  private upsertVariant(accountId: number, job: NewJob, now: number): number {
    const appName = job.name ?? 'default';
    this.sql(
      'INSERT INTO apps (account_id, name, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    ).run(accountId, appName, now);
    const appId = this.sql('SELECT id FROM apps WHERE account_id = ? AND name = ?')
      .pluck()
      .get(accountId, appName);
    this.sql(
      'INSERT INTO app_versions (app_id, version, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    ).run(appId, job.module.hash, now);
    const versionId = this.sql('SELECT id FROM app_versions WHERE app_id = ? AND version = ?')
      .pluck()
      .get(appId, job.module.hash);
    this.db
      .prepare(
        'INSERT INTO variants (version_id, platform, module_hash, module_size) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      )
      .run(versionId, WASM_PLATFORM, job.module.hash, job.module.size);
    return this.sql('SELECT id FROM variants WHERE version_id = ? AND platform = ?')
      .pluck()
      .get(versionId, WASM_PLATFORM) as number;
  }
}

/** Whether a task waits for others. */
function hasParents(task: NewJob['tasks'][number]): boolean {
  return task.dependsOn !== undefined && task.dependsOn.length > 0;
}
