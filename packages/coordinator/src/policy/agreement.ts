/**
 * @module
 * Agreement under a comparator other than `exact`, where outputs may agree without being
 * byte-equal and a comparison may take time (a validator module runs outside any
 * transaction). Each reported replica gets an agreement key: the digest of the first
 * replica of its task it agrees with (its group's representative), or its own digest
 * when it agrees with none. `decideTask` then groups replicas by key exactly as it groups
 * them by digest for `exact` jobs, so quorum, reissue and failure rules stay the same.
 *
 * A replica whose key is not known yet counts as in flight: its answer is in, but not
 * its verdict, so the task neither makes another replica for it nor settles without it.
 */

import type { ReplicaFacts } from './quorum.js';
import type { ReplicaState } from './replica-state.js';

/** A replica of a compared task as the store holds it. */
export interface KeyedReplica {
  readonly id: number;
  readonly state: ReplicaState;
  /** Digest of a reported replica's output (byte equality); null otherwise. */
  readonly digest: string | null;
  /** The replica's agreement key once classified; null before (and for unreported ones). */
  readonly agreeKey: string | null;
}

/**
 * A newly reported replica's key when it needs no comparison: the task's first answer
 * is its own representative, and an answer byte-equal to a classified one shares its
 * key (byte-equal outputs agree under every comparator). Null: compare it.
 */
export function keyWithoutComparing(
  digest: string,
  others: readonly KeyedReplica[],
): string | null {
  let anyClassified = false;
  for (const r of others) {
    if (r.state !== 'reported' || r.agreeKey === null) continue;
    if (r.digest === digest) return r.agreeKey;
    anyClassified = true;
  }
  // With none classified, nothing can be pending either: pending replicas only arise
  // beside a classified one, and they are classified in id order.
  return anyClassified ? null : digest;
}

/**
 * The representatives a replica must be compared with: the oldest classified replica
 * of each group (keyed by its own digest), oldest first.
 */
export function representatives<T extends KeyedReplica>(replicas: readonly T[]): T[] {
  const seen = new Set<string>();
  return replicas
    .filter((r) => r.state === 'reported' && r.agreeKey !== null && r.agreeKey === r.digest)
    .sort((a, b) => a.id - b.id)
    .filter((r) => !seen.has(r.agreeKey as string) && seen.add(r.agreeKey as string));
}

/** The facts `decideTask` groups by: the agreement key as digest; unclassified replicas in flight. */
export function agreementFacts<T extends KeyedReplica>(
  replicas: readonly T[],
): Array<T & ReplicaFacts> {
  return replicas.map((r) => {
    if (r.state !== 'reported') return r;
    if (r.agreeKey === null) return { ...r, state: 'in_progress', digest: null };
    return { ...r, digest: r.agreeKey };
  });
}
