/**
 * @module
 * Fills a job's policy with defaults and rejects combinations that could never finish
 * (a quorum larger than the replicas a task may ever have). Pure, so it can be called
 * without a store.
 */

import {
  DEFAULT_TASK_LIMITS,
  InvalidRequestError,
  type JobPolicy,
  type JobPolicyInput,
} from '@anygrid/protocol';

/** Per-replica deadline when the job names none: generous, since volunteers are slow. */
export const DEFAULT_DEADLINE_MS = 10 * 60_000;

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
  };
}
