/**
 * @module
 * The transitioner's and validator's decision for one task, as a pure function of its
 * policy and replicas: settle it (canonical result, failure, no consensus) or create
 * the replicas still needed. The store applies the decision inside the same
 * transaction that recorded the reports, so validation and its effects are atomic.
 *
 * Failures are counted per owner, not per replica: a task fails when more than
 * `maxErrors` distinct accounts failed it, and the timeouts of one account use up one
 * replica of `maxTotal` however many of its hosts held the task. Otherwise one owner's
 * hosts that pull work and never answer (hoarding) could fail any task they reach.
 * Errors a host reports still use up a replica each, so a task that crashes everywhere
 * fails even in a pool of one account.
 */

import type { JobPolicy } from '@anygrid/protocol';
import { isFailure, isHandedBack, isInFlight, type ReplicaState } from './replica-state.js';

export interface ReplicaFacts {
  readonly id: number;
  readonly state: ReplicaState;
  /** Digest of a reported replica's output; null otherwise. */
  readonly digest: string | null;
  /** Account owning the replica's host; absent or null: the replica counts as its own owner. */
  readonly account?: number | null;
}

export type TaskDecision =
  | {
      readonly kind: 'valid';
      readonly digest: string;
      readonly canonicalId: number;
      readonly validIds: readonly number[];
      readonly invalidIds: readonly number[];
    }
  | { readonly kind: 'failed' }
  | { readonly kind: 'no_consensus' }
  | { readonly kind: 'continue'; readonly create: number };

type Policy = Pick<JobPolicy, 'redundancy' | 'quorum' | 'maxErrors' | 'maxTotal'>;

/** Groups reported replicas by output digest, largest group first, ties by earliest replica. */
export function agreeingGroups(replicas: readonly ReplicaFacts[]): number[][] {
  const groups = new Map<string, number[]>();
  for (const r of replicas) {
    if (r.state !== 'reported' || r.digest === null) continue;
    const g = groups.get(r.digest);
    if (g) g.push(r.id);
    else groups.set(r.digest, [r.id]);
  }
  return [...groups.values()]
    .map((ids) => ids.sort((a, b) => a - b))
    .sort((a, b) => b.length - a.length || (a[0] ?? 0) - (b[0] ?? 0));
}

export function decideTask(policy: Policy, replicas: readonly ReplicaFacts[]): TaskDecision {
  // The common case of a job without redundancy, decided without grouping: the same
  // answer the general path gives, at a fraction of its allocations.
  const only = replicas.length === 1 ? replicas[0] : undefined;
  if (only && policy.quorum <= 1 && only.state === 'reported' && only.digest !== null) {
    return {
      kind: 'valid',
      digest: only.digest,
      canonicalId: only.id,
      validIds: [only.id],
      invalidIds: [],
    };
  }
  const groups = agreeingGroups(replicas);
  const best = groups[0] ?? [];
  if (best.length >= policy.quorum) {
    const canonicalId = best[0] as number;
    const digest = replicas.find((r) => r.id === canonicalId)?.digest as string;
    return {
      kind: 'valid',
      digest,
      canonicalId,
      validIds: best,
      invalidIds: groups.slice(1).flat(),
    };
  }

  // Owners are keyed by account, or by replica when the account is unknown.
  const failedOwners = new Set<string>();
  const timedOutOwners = new Set<string>();
  let inFlight = 0;
  let counted = 0;
  for (const r of replicas) {
    const owner = r.account == null ? `r${r.id}` : `a${r.account}`;
    if (isFailure(r.state)) failedOwners.add(owner);
    if (isInFlight(r.state)) inFlight++;
    if (r.state === 'timed_out') timedOutOwners.add(owner);
    // Work a provider handed back (politely, or refusing the module) is not the task's fault.
    else if (!isHandedBack(r.state)) counted++;
  }
  counted += timedOutOwners.size;
  const failures = failedOwners.size;
  if (failures > policy.maxErrors) return { kind: 'failed' };

  const successes = groups.reduce((n, g) => n + g.length, 0);
  const want = Math.max(
    policy.redundancy - successes - inFlight,
    policy.quorum - best.length - inFlight,
    0,
  );
  const create = Math.min(want, policy.maxTotal - counted);
  if (create <= 0 && inFlight === 0) {
    return successes > 0 ? { kind: 'no_consensus' } : { kind: 'failed' };
  }
  return { kind: 'continue', create: Math.max(create, 0) };
}
