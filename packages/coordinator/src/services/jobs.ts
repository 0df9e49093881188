/**
 * @module
 * The requester's side: accept a job (after checking every blob it names is stored),
 * look jobs up with ownership enforced, cancel, and page through results.
 */

import {
  BlobMissingError,
  ConflictError,
  type CreateJobRequest,
  type JobView,
  NotFoundError,
  type TaskResult,
} from '@anygrid/protocol';
import type { BlobStore } from '../blobs/blob-store.js';
import { resolvePolicy } from '../policy/index.js';
import type { EncodedResult, Principal, Store } from '../store/store.js';
import type { Scheduler } from './scheduler.js';

/** Tasks written per transaction when a job is created. */
export const CREATE_CHUNK = 10_000;

export class Jobs {
  constructor(
    private readonly store: Store,
    private readonly blobs: BlobStore,
    private readonly scheduler: Scheduler,
  ) {}

  /**
   * Stores a job and publishes its tasks. A large job goes in by parts of
   * `CREATE_CHUNK` tasks, each its own transaction and published at once: providers
   * start on the first part while the rest is written, and other requests are served in
   * between. Until the last part is in, the job cannot complete; should the coordinator
   * die before that, the job was never acknowledged and is cancelled at the next start
   * (`cancelIncomplete`).
   */
  async create(principal: Principal, req: CreateJobRequest): Promise<JobView> {
    const policy = resolvePolicy(req.policy);
    await this.requireBlobs(req);
    const { tasks } = req;
    const { job, changes } = await this.store.createJob(
      principal.accountId,
      { ...req, policy, tasks: tasks.slice(0, CREATE_CHUNK), tasksTotal: tasks.length },
      Date.now(),
    );
    this.scheduler.publish(changes);
    if (tasks.length <= CREATE_CHUNK) return job;
    for (let i = CREATE_CHUNK; i < tasks.length; i += CREATE_CHUNK) {
      await new Promise((resolve) => setImmediate(resolve));
      const part = tasks.slice(i, i + CREATE_CHUNK);
      this.scheduler.publish(await this.store.addTasks(job.id, i, part, Date.now()));
    }
    return this.get(principal, job.id);
  }

  /** Cancels jobs whose creation a crash cut short; returns their ids. */
  async cancelIncomplete(): Promise<number[]> {
    const ids = await this.store.incompleteJobs();
    for (const id of ids) this.scheduler.publish(await this.store.cancelJob(id, Date.now()));
    return ids;
  }

  private async requireBlobs(req: CreateJobRequest): Promise<void> {
    const wanted = new Map<string, number>([[req.module.hash, req.module.size]]);
    for (const t of req.tasks) {
      if (t.stdin) wanted.set(t.stdin.hash, t.stdin.size);
      for (const f of Object.values(t.files)) wanted.set(f.hash, f.size);
    }
    const missing: string[] = [];
    for (const [hash, size] of wanted) {
      if ((await this.blobs.size(hash)) !== size) missing.push(hash);
    }
    if (missing.length > 0) throw new BlobMissingError(missing);
  }

  async get(principal: Principal, jobId: number): Promise<JobView> {
    const job = await this.store.getJob(jobId, principal);
    if (!job) throw new NotFoundError('job', jobId);
    return job;
  }

  list(principal: Principal): Promise<JobView[]> {
    return this.store.listJobs(principal, 1000);
  }

  async cancel(principal: Principal, jobId: number): Promise<JobView> {
    const job = await this.get(principal, jobId);
    if (job.state !== 'running') {
      throw new ConflictError(
        `Job ${jobId} is already ${job.state}; only running jobs can be cancelled.`,
        {
          state: job.state,
        },
      );
    }
    const changes = await this.store.cancelJob(jobId, Date.now());
    this.scheduler.dropJob(jobId);
    this.scheduler.publish(changes);
    return this.get(principal, jobId);
  }

  async results(
    principal: Principal,
    jobId: number,
    after: number,
    limit: number,
  ): Promise<{ job: JobView; results: TaskResult[] }> {
    const job = await this.get(principal, jobId);
    const results = await this.store.listResults(jobId, after, limit);
    return { job, results };
  }

  /** `results`, each already JSON-encoded, for the result stream. */
  async encodedResults(
    principal: Principal,
    jobId: number,
    after: number,
    limit: number,
  ): Promise<EncodedResult[]> {
    await this.get(principal, jobId);
    return this.store.listEncodedResults(jobId, after, limit);
  }
}
