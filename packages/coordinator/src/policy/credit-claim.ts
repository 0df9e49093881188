/**
 * @module
 * How much volunteer credit a validated replica claims, and what a task grants
 * (docs/incentives.md, "Volunteer credit"). Credit is work done: the replica's CPU time
 * times its host's benchmark speed, in seconds at the reference speed. Both numbers come
 * from the host, so neither is taken as a fact:
 * - the run time is at most what the host reported, the job's wall-time limit, and the
 *   time from sending to report on the coordinator's own clock (a host cannot have run a
 *   task longer than it held it);
 * - the work is at most `SIZE_SLACK` times the task's size, from the requester's
 *   `estimatedOps` or else the job's measured mean (deadline-fit.ts), which bounds a
 *   host that inflates its speed as much as one that inflates its time.
 * The task then grants every valid replica of its quorum the LOWEST of their claims:
 * nobody can raise the grant by claiming more, only lower it by claiming less (and a
 * host that under-claims lowers its own grant with the others'). The median was not
 * chosen because with a quorum of two it is the mean, which an inflater moves by half
 * of whatever it claims.
 */

import { CREDIT_MICROS, REFERENCE_SPEED } from '@anygrid/protocol';
import type { JobSize } from './deadline-fit.js';

/**
 * How many times a task's known size a claim may reach: tasks of one job differ in size,
 * and the measured mean is an average over tasks, so a bound at the mean would cut the
 * honest claims of every task above average.
 */
export const SIZE_SLACK = 4;

/** What is known when a validated replica's claim is weighed. */
export interface ClaimFacts {
  /** The `durationMs` its host reported. */
  readonly reportedMs: number;
  /** From sending to report on the coordinator's clock, ms; null if unknown. */
  readonly elapsedMs: number | null;
  /** The job's wall-time limit per replica, ms. */
  readonly wallTimeMs: number;
  /** The host's benchmark speed, ops/s; null when it never ran the benchmark (counted at the reference speed). */
  readonly speed: number | null;
  /** The task's size as the job knows it (deadline-fit.ts). */
  readonly size: JobSize;
}

/** The replica's claim in micro-credits (an integer, never negative). */
export function claimedCredit(f: ClaimFacts): number {
  let ms = Math.min(f.reportedMs, f.wallTimeMs);
  if (f.elapsedMs !== null) ms = Math.min(ms, f.elapsedMs);
  if (!(ms > 0)) return 0;
  const speed = f.speed !== null && f.speed > 0 ? f.speed : REFERENCE_SPEED;
  let ops = (ms / 1000) * speed;
  const sizeOps = f.size.estimatedOps ?? f.size.measuredOps;
  if (sizeOps !== undefined && sizeOps > 0) ops = Math.min(ops, sizeOps * SIZE_SLACK);
  return Math.floor((ops / REFERENCE_SPEED) * CREDIT_MICROS);
}

/** What each valid replica of a quorum is granted: the lowest claim among them (0 for none). */
export function quorumGrant(claims: readonly number[]): number {
  if (claims.length === 0) return 0;
  return Math.min(...claims);
}
