/**
 * @module
 * Speed- and deadline-aware placement: how long a task of a job should take on a host,
 * and whether a host would finish it before the replica deadline. A task's size, in
 * operations of the standard WASM benchmark, comes from the requester (`estimatedOps`)
 * or from the job's reports so far (each run time times the speed of the host that ran
 * it); divided by a host's speed it is that host's runtime. A host that never declared a
 * speed is of unknown speed: it is never excluded by the rule, unless the job's measured
 * mean runtime already exceeds the deadline. A host's estimated finish is the transfer
 * of the inputs it lacks, then its queue (replicas it holds × runtime / slots), then the
 * task; `deadlineCap` turns that into the most replicas a host may hold, which the store
 * applies with the work-buffer cap (in-flight-cap.ts).
 */

/** What is known of the size of a job's tasks. */
export interface JobSize {
  /** The requester's estimate, in benchmark operations per task. */
  readonly estimatedOps?: number;
  /** Measured: mean operations per task over reports from hosts of known speed. */
  readonly measuredOps?: number;
  /** Measured: mean runtime per task over all reports, in ms. */
  readonly meanMs?: number;
}

/** The job's measured size from its run-time sums (ms, count; operations, count). */
export function measuredSize(
  runMs: number,
  runN: number,
  runOps: number,
  runOpsN: number,
): Pick<JobSize, 'measuredOps' | 'meanMs'> {
  return {
    ...(runOpsN > 0 ? { measuredOps: runOps / runOpsN } : {}),
    ...(runN > 0 ? { meanMs: runMs / runN } : {}),
  };
}

/**
 * A task's expected runtime on a host of `speed` (ops/s; null: unknown), in ms; undefined
 * when nothing is known. The requester's estimate wins over the measured one: it is what
 * the requester promised; a host of unknown speed gets the job's measured mean.
 */
export function runtimeOnHost(size: JobSize, speed: number | null): number | undefined {
  const ops = size.estimatedOps ?? size.measuredOps;
  if (speed !== null && speed > 0 && ops !== undefined) return (ops / speed) * 1000;
  return size.meanMs;
}

export interface FinishParams {
  /** The task's runtime on this host, ms. */
  readonly runtimeMs: number;
  /** Replicas the host holds already. */
  readonly queued: number;
  readonly slots: number;
  /** Time to fetch the inputs the host lacks, ms. */
  readonly transferMs?: number;
}

/** When (ms from now) the host should report the task if it took it now. */
export function estimatedFinishMs(p: FinishParams): number {
  const slots = Math.max(1, Math.floor(p.slots));
  return (p.transferMs ?? 0) + (p.queued * p.runtimeMs) / slots + p.runtimeMs;
}

/** Whether the host should report the task before its replica deadline. */
export function meetsDeadline(p: FinishParams, deadlineMs: number): boolean {
  return estimatedFinishMs(p) <= deadlineMs;
}

/**
 * The most replicas (this one included) a host may hold so that the last of them is
 * expected to finish within the deadline; 0 when even an idle host would be late.
 */
export function deadlineCap(
  deadlineMs: number,
  runtimeMs: number,
  slots: number,
  transferMs = 0,
): number {
  if (!(runtimeMs > 0)) return Number.POSITIVE_INFINITY;
  const spare = deadlineMs - transferMs - runtimeMs;
  if (spare < 0) return 0;
  return Math.floor((spare * Math.max(1, Math.floor(slots))) / runtimeMs) + 1;
}
