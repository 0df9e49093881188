/**
 * @module
 * What the live dashboard reads, with ownership enforced: the grid's counters (hosts
 * online counted from the hub's open channels and the liveness window), the newest jobs,
 * the views of jobs that changed, and a page of one job's tasks with their replicas.
 */

import {
  DASHBOARD_JOBS,
  type GridSnapshot,
  JobPurgedError,
  type JobTaskPage,
  type JobTasksQuery,
  type JobView,
} from '@anygrid/protocol';
import type { Principal, Store } from '../store/store.js';
import type { Hub } from './hub.js';
import type { Jobs } from './jobs.js';

/** Most changed jobs one `jobs` event carries; the rest follow in the next. */
export const CHANGED_JOBS_PER_EVENT = 200;

export class Dashboard {
  constructor(
    private readonly store: Store,
    private readonly hub: Hub,
    private readonly jobs: Jobs,
    /** A host seen this recently is online (the silence a lease survives). */
    private readonly onlineWindowMs: number,
  ) {}

  snapshot(principal: Principal): Promise<GridSnapshot> {
    const now = Date.now();
    return this.store.gridSnapshot(
      principal,
      { onlineSince: now - this.onlineWindowMs, connected: this.hub.connectedHosts() },
      now,
    );
  }

  recentJobs(principal: Principal): Promise<JobView[]> {
    return this.store.listJobs(principal, DASHBOARD_JOBS);
  }

  /** The views of these jobs the principal may see; purged and others' jobs are left out. */
  async changedJobs(principal: Principal, ids: Iterable<number>): Promise<JobView[]> {
    const views: JobView[] = [];
    for (const id of ids) {
      try {
        const job = await this.store.getJob(id, principal);
        if (job) views.push(job);
      } catch (err) {
        if (!(err instanceof JobPurgedError)) throw err;
      }
    }
    return views;
  }

  /** Throws NotFoundError (or JobPurgedError) unless the principal may see the job. */
  async tasks(principal: Principal, jobId: number, query: JobTasksQuery): Promise<JobTaskPage> {
    await this.jobs.get(principal, jobId);
    return this.store.jobTasks(jobId, query);
  }
}
