/**
 * @module
 * Human renderings of a job for `status`, `jobs` and `cancel`.
 */

import type { JobPolicy, JobView, ResolvedCompare } from '@anygrid/protocol';
import { formatDuration } from './output.js';
import { settled } from './progress-view.js';

/** One line: id, state, settled/total, name. */
export function jobLine(job: JobView): string {
  const p = job.progress;
  return `${String(job.id).padStart(5)}  ${job.state.padEnd(9)}  ${`${settled(p)}/${p.total}`.padStart(13)}  ${job.name}`;
}

/** Header matching `jobLine`. */
export const JOB_LINE_HEADER = `${'ID'.padStart(5)}  ${'STATE'.padEnd(9)}  ${'SETTLED/TOTAL'.padStart(13)}  NAME`;

/** Several lines describing one job. */
export function jobDetails(job: JobView): string[] {
  const p = job.progress;
  const pol = job.policy;
  const finished = job.finishedAt
    ? `finished ${new Date(job.finishedAt).toISOString()} (${formatDuration(job.finishedAt - job.createdAt)})`
    : `running for ${formatDuration(Date.now() - job.createdAt)}`;
  return [
    `job ${job.id} "${job.name}": ${job.state}`,
    `  progress   ${settled(p)}/${p.total} settled: ${p.valid} valid, ${p.failed} failed, ` +
      `${p.noConsensus} no consensus, ${p.cancelled} cancelled; ${p.pending} pending` +
      // Reported by programs that checkpoint (docs/checkpoints.md).
      (p.running === undefined
        ? ''
        : ` (${p.running.toFixed(2)} tasks' worth done by running tasks)`),
    `  policy     redundancy ${pol.redundancy}, quorum ${pol.quorum}, max errors ${pol.maxErrors}, ` +
      `max replicas ${pol.maxTotal}, deadline ${formatDuration(pol.deadlineMs)}, priority ${pol.priority}`,
    `  validation ${validationText(pol.validation, pol.homogeneous)}`,
    `  compare    ${compareText(pol.compare)}`,
    `  limits     memory ${Math.round(pol.limits.memoryBytes / 1048576)} MiB, time ${formatDuration(pol.limits.wallTimeMs)}, ` +
      `output ${Math.round(pol.limits.outputBytes / 1048576)} MiB`,
    `  module     ${job.module.hash.slice(0, 16)}… (${job.module.size} bytes)` +
      (job.signature
        ? `, signed by ${job.signature.publisher ? `${job.signature.publisher} ` : ''}${job.signature.publicKey}`
        : ', unsigned'),
    `  created    ${new Date(job.createdAt).toISOString()}; ${finished}`,
  ];
}

/** How a job compares replicas, in a few words (a coordinator before comparators sends none). */
export function compareText(compare: ResolvedCompare | undefined): string {
  if (compare === undefined || compare.kind === 'exact') return 'exact (byte-equal outputs)';
  if (compare.kind === 'numeric') {
    const source = compare.source === 'stdout' ? 'stdout' : compare.source.file;
    return `numeric: ${source} as ${compare.format}, abs tol ${compare.absTol}, rel tol ${compare.relTol}`;
  }
  return (
    `validator ${compare.module.hash.slice(0, 16)}… (${compare.module.size} bytes), ` +
    `time ${formatDuration(compare.timeoutMs)}, memory ${Math.round(compare.memoryBytes / 1048576)} MiB`
  );
}

/**
 * How a job verifies results, in a few words: under `adaptive`, `spot-check` and `none`
 * the policy line's redundancy and quorum (1, 1) say nothing of the replicas a task gets.
 * A coordinator before validation modes sends none.
 */
export function validationText(
  validation: JobPolicy['validation'] | undefined,
  homogeneous = false,
): string {
  const platform = homogeneous ? "; homogeneous (a task's replicas on one platform)" : '';
  if (validation === undefined || validation.mode === 'replicate') {
    return `replicate (redundancy and quorum as above)${platform}`;
  }
  if (validation.mode === 'none') return `none (the first success is accepted)${platform}`;
  if (validation.mode === 'adaptive') {
    return (
      `adaptive: floor ${validation.floor}, warm-up ${validation.warmup}, ` +
      `trusted wait ${formatDuration(validation.trustedWaitMs)}` +
      // Jobs stored before the partner rule have none: they take the coordinator's default.
      `${validation.partners === undefined ? '' : `, partners ${validation.partners}`}${platform}`
    );
  }
  return (
    `spot-check: rate ${validation.rate}, ${validation.knownAnswers.length} known answer(s)` +
    platform
  );
}
