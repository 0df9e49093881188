/**
 * @module
 * Whether a job's tasks may be placed on a host at all: it meets the job's requirements
 * (host-match.ts), its asks fit the job's pricing (price-fit.ts) and, idle, would finish a task before the replica deadline
 * (deadline-fit.ts), counting the time to fetch the large inputs it lacks. The scheduler
 * asks this once per job per pull, to skip what a host can never take; how much a host
 * may queue is the store's in-flight cap.
 */

import type { JobPricing, JobRequirements } from '@anygrid/protocol';
import { type JobSize, runtimeOnHost } from './deadline-fit.js';
import { type HostCapabilities, meets } from './host-match.js';
import { priceFits, type ReplicaShape } from './price-fit.js';

/** What placement knows of a job. */
export interface JobPlacement {
  readonly requirements?: JobRequirements;
  readonly deadlineMs: number;
  readonly size: JobSize;
  /** Absent: a volunteer job, for hosts asking nothing. */
  readonly pricing?: JobPricing;
  /** What one replica holds, to weigh hosts' asks against each other; absent: 1 GiB, no GPU. */
  readonly shape?: ReplicaShape;
}

/** A replica's shape from the job's memory limit and required accelerators. */
export function shapeOf(memoryBytes: number, accelerators?: readonly string[]): ReplicaShape {
  return { memGiB: memoryBytes / 2 ** 30, gpu: (accelerators?.length ?? 0) > 0 };
}

/** Whether the host may be sent the job's tasks; `transferMs`: fetching inputs it lacks. */
export function placeable(job: JobPlacement, host: HostCapabilities, transferMs = 0): boolean {
  if (job.requirements !== undefined && !meets(host, job.requirements)) return false;
  if (!priceFits(host.asks, job.pricing)) return false;
  const runtimeMs = runtimeOnHost(job.size, host.speed);
  return runtimeMs === undefined || transferMs + runtimeMs <= job.deadlineMs;
}
