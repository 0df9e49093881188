/**
 * @module
 * Fills a job's policy with defaults and rejects combinations that could never finish
 * (a quorum larger than the replicas a task may ever have). Pure, so it can be called
 * without a store.
 */

import { hash } from 'node:crypto';
import {
  type Compare,
  DEFAULT_TASK_LIMITS,
  DEFAULT_VALIDATION_MODE,
  DEFAULT_VALIDATOR_MEMORY_BYTES,
  DEFAULT_VALIDATOR_TIME_MS,
  EXACT_COMPARE,
  InvalidRequestError,
  type JobPolicy,
  type JobPolicyInput,
  type ResolvedCompare,
  TIERS,
  type ValidationMode,
} from '@anygrid/protocol';
import { DEFAULT_ADAPTIVE } from './adaptive-replication.js';
import { outputDigest } from './output-digest.js';

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

/**
 * Replicas an `adaptive` task may have by default: its first, a checking one, a
 * tie-breaker, and room for a re-check after a catch, when the caught host's replica no
 * longer counts.
 */
export const ADAPTIVE_MAX_TOTAL = 6;

function resolveValidation(input: JobPolicyInput): ValidationMode {
  const v = input.validation;
  if (v === undefined || v.mode === 'replicate') return DEFAULT_VALIDATION_MODE;
  if (v.mode === 'none') return v;
  if (v.mode === 'spot-check') {
    // A known stdout becomes the digest a report with that stdout gets (exit code 0, no files).
    const knownAnswers = (v.knownAnswers ?? []).map((k) => ({
      index: k.index,
      digest:
        k.digest ??
        outputDigest({ exitCode: 0, stdout: { hash: sha256Text(k.stdout ?? '') }, files: {} }),
    }));
    return { mode: 'spot-check', rate: v.rate, knownAnswers };
  }
  return {
    mode: 'adaptive',
    floor: v.floor ?? DEFAULT_ADAPTIVE.floor,
    warmup: v.warmup ?? DEFAULT_ADAPTIVE.warmup,
    trustedWaitMs: v.trustedWaitMs ?? DEFAULT_ADAPTIVE.trustedWaitMs,
    partners: v.partners ?? DEFAULT_ADAPTIVE.partners,
  };
}

function sha256Text(text: string): string {
  return hash('sha256', text, 'hex');
}

export function resolvePolicy(input: JobPolicyInput): JobPolicy {
  const validation = resolveValidation(input);
  // `adaptive` and `none` start each task with one replica and need one result to settle
  // it; `adaptive` asks for more replicas itself (adaptive-settlement.ts).
  if (validation.mode !== 'replicate' && (input.redundancy ?? 1) !== 1) {
    // `none` replicates nothing, and "as it sees fit" would tell its user otherwise.
    const does =
      validation.mode === 'none'
        ? 'runs each task once and accepts its first success'
        : 'decides itself which tasks get a second replica';
    throw new InvalidRequestError(
      `validation mode ${validation.mode} ${does}; leave out redundancy (or set it to 1), or use validation replicate for a fixed redundancy.`,
      { path: ['policy', 'redundancy'] },
    );
  }
  if (validation.mode !== 'replicate' && (input.quorum ?? 1) !== 1) {
    throw new InvalidRequestError(
      `validation mode ${validation.mode} sets the quorum itself; leave out quorum.`,
      { path: ['policy', 'quorum'] },
    );
  }
  const compare = resolveCompare(input.compare);
  if (validation.mode === 'spot-check' && compare.kind !== 'exact') {
    throw new InvalidRequestError(
      `validation mode spot-check judges results by their bytes against known answers, which a ${compare.kind} comparator does not allow; use compare exact, or validation adaptive (its checks go through the comparator).`,
      { path: ['policy', 'validation'] },
    );
  }
  const redundancy = input.redundancy ?? 1;
  const quorum = input.quorum ?? defaultQuorum(redundancy);
  const maxTotal =
    input.maxTotal ?? (validation.mode === 'adaptive' ? ADAPTIVE_MAX_TOTAL : redundancy * 2 + 2);
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
    // A paid job's tier moves it ahead of (or behind) work of the same stated priority.
    priority: (input.priority ?? 0) + (input.pricing ? TIERS[input.pricing.tier].priority : 0),
    limits: { ...DEFAULT_TASK_LIMITS, ...input.limits },
    compare,
    validation,
    homogeneous: input.homogeneous ?? false,
    ...(input.estimatedOps === undefined ? {} : { estimatedOps: input.estimatedOps }),
    mixedVariants: input.mixedVariants ?? false,
    // A paid job keeps its pricing: escrow, payment and the scheduler's ceiling read it.
    ...(input.pricing === undefined ? {} : { pricing: input.pricing }),
  };
}
