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
import type { Principal, Store } from '../store/store.js';
import type { Scheduler } from './scheduler.js';

export class Jobs {
  constructor(
    private readonly store: Store,
    private readonly blobs: BlobStore,
    private readonly scheduler: Scheduler,
  ) {}

  async create(principal: Principal, req: CreateJobRequest): Promise<JobView> {
    const policy = resolvePolicy(req.policy);
    await this.requireBlobs(req);
    const { job, changes } = await this.store.createJob(
      principal.accountId,
      { ...req, policy },
      Date.now(),
    );
    this.scheduler.publish(changes);
    return job;
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
}
