/**
 * @module
 * Fills a job's policy with defaults and rejects combinations that could never finish
 * (a quorum larger than the replicas a task may ever have). Pure, so it can be called
 * without a store.
 */

import {
  type Compare,
  DEFAULT_TASK_LIMITS,
  DEFAULT_VALIDATOR_MEMORY_BYTES,
  DEFAULT_VALIDATOR_TIME_MS,
  EXACT_COMPARE,
  InvalidRequestError,
  type JobPolicy,
  type JobPolicyInput,
  type ResolvedCompare,
} from '@anygrid/protocol';

/** Per-replica deadline when the job names none: generous, since volunteers are slow. */
export const DEFAULT_DEADLINE_MS = 10 * 60_000;

/**
 * Relative tolerance of a numeric comparison that names none: a float64 off in its last
 * bits (about 1e-16 relative) agrees, a different result does not.
 */
export const DEFAULT_REL_TOL = 1e-9;

/** A comparator with its defaults filled in, as the job stores it. */
export function resolveCompare(input: Compare | undefined): ResolvedCompare {
  if (input === undefined || input.kind === 'exact') return EXACT_COMPARE;
  if (input.kind === 'numeric') {
    return {
      kind: 'numeric',
      absTol: input.absTol ?? 0,
      relTol: input.relTol ?? DEFAULT_REL_TOL,
      source: input.source,
      format: input.format,
    };
  }
  return {
    kind: 'validator',
    module: input.module,
    timeoutMs: input.timeoutMs ?? DEFAULT_VALIDATOR_TIME_MS,
    memoryBytes: input.memoryBytes ?? DEFAULT_VALIDATOR_MEMORY_BYTES,
  };
}

/** Quorum by default: 1 unreplicated, else a strict majority of the replicas, at least 2. */
export function defaultQuorum(redundancy: number): number {
  return redundancy === 1 ? 1 : Math.max(2, Math.floor(redundancy / 2) + 1);
}

export function resolvePolicy(input: JobPolicyInput): JobPolicy {
  const redundancy = input.redundancy ?? 1;
  const quorum = input.quorum ?? defaultQuorum(redundancy);
  const maxTotal = input.maxTotal ?? redundancy * 2 + 2;
  if (quorum > redundancy) {
    throw new InvalidRequestError(
      `quorum ${quorum} exceeds redundancy ${redundancy}: create at least as many replicas as must agree.`,
      { path: ['policy', 'quorum'] },
    );
  }
  if (maxTotal < redundancy) {
    throw new InvalidRequestError(`maxTotal ${maxTotal} is below redundancy ${redundancy}.`, {
      path: ['policy', 'maxTotal'],
    });
  }
  return {
    redundancy,
    quorum,
    maxErrors: input.maxErrors ?? 3,
    maxTotal,
    deadlineMs: input.deadlineMs ?? DEFAULT_DEADLINE_MS,
    priority: input.priority ?? 0,
    limits: { ...DEFAULT_TASK_LIMITS, ...input.limits },
    compare: resolveCompare(input.compare),
  };
}
