/**
 * @module
 * What one replica of a job is estimated to cost, in milliseconds of a host's time: the
 * unit in which fair share (fair-share.ts) bills accounts, so an account of one-second
 * tasks and one of one-millisecond tasks share hosts' time, not replica counts. The
 * estimate is the mean run time providers reported for the job (capped at its wall time
 * by the store); before the first report of a job it is the mean over every job seen,
 * and before any report at all every replica costs the same. Reports are untrusted: a
 * host that lies about run times moves only the estimate of jobs it ran, diluted by the
 * other hosts' reports. Soft state: a restart starts it again from the next reports.
 */

import { MIN_ESTIMATE_MS } from './in-flight-cap.js';

/** The cost of a replica when no run time was ever reported. */
export const UNKNOWN_COST_MS = 1;

/** Jobs whose estimates are kept; the least recently reported are forgotten first. */
const MAX_JOBS = 4096;

interface Runtime {
  ms: number;
  n: number;
}

export class JobCosts {
  private readonly jobs = new Map<number, Runtime>();
  private totalMs = 0;
  private totalN = 0;
  /** The last job looked up and its cost: a request takes runs of replicas of one job. */
  private lastJob = -1;
  private lastCost = UNKNOWN_COST_MS;

  /** Adds `n` reported run times summing to `ms` to the job's estimate. */
  note(jobId: number, ms: number, n: number): void {
    if (!(n > 0) || !(ms >= 0)) return;
    let r = this.jobs.get(jobId);
    if (r) this.jobs.delete(jobId);
    else {
      r = { ms: 0, n: 0 };
      if (this.jobs.size >= MAX_JOBS) {
        const oldest = this.jobs.keys().next().value as number;
        this.jobs.delete(oldest);
      }
    }
    r.ms += ms;
    r.n += n;
    this.jobs.set(jobId, r);
    this.totalMs += ms;
    this.totalN += n;
    this.lastJob = -1;
  }

  /** The estimated cost of one replica of the job, in ms. */
  cost(jobId: number): number {
    if (jobId === this.lastJob) return this.lastCost;
    const r = this.jobs.get(jobId);
    const mean = r ? r.ms / r.n : this.totalN > 0 ? this.totalMs / this.totalN : UNKNOWN_COST_MS;
    this.lastJob = jobId;
    this.lastCost = Math.max(MIN_ESTIMATE_MS, mean);
    return this.lastCost;
  }
}
