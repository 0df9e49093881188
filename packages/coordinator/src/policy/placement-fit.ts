/**
 * @module
 * Whether a job's tasks may be placed on a host at all: it meets the job's requirements
 * (host-match.ts) and, idle, would finish a task before the replica deadline
 * (deadline-fit.ts), counting the time to fetch the large inputs it lacks. The scheduler
 * asks this once per job per pull, to skip what a host can never take; how much a host
 * may queue is the store's in-flight cap.
 */

import type { JobRequirements } from '@anygrid/protocol';
import { type JobSize, runtimeOnHost } from './deadline-fit.js';
import { type HostCapabilities, meets } from './host-match.js';

/** What placement knows of a job. */
export interface JobPlacement {
  readonly requirements?: JobRequirements;
  readonly deadlineMs: number;
  readonly size: JobSize;
}

/** Whether the host may be sent the job's tasks; `transferMs`: fetching inputs it lacks. */
export function placeable(job: JobPlacement, host: HostCapabilities, transferMs = 0): boolean {
  if (job.requirements !== undefined && !meets(host, job.requirements)) return false;
  const runtimeMs = runtimeOnHost(job.size, host.speed);
  return runtimeMs === undefined || transferMs + runtimeMs <= job.deadlineMs;
}
