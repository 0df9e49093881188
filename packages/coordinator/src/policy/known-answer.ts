/**
 * @module
 * What the results of a `spot-check` task say about the known answer the requester gave
 * for it. A known answer is the requester's word, not a fact: a wrong one must not strike
 * honest hosts (three strikes quarantine a host for every job) nor reopen their other
 * results. So a result that differs is held against its host only once another host's
 * result has matched the known answer; and when hosts of two accounts agree with each
 * other on another output, the known answer is disputed and nobody is judged.
 */

import type { ReplicaFacts } from './quorum.js';

export type KnownAnswerVerdict =
  /** A result matched the known answer: the others that differ are wrong. */
  | { readonly kind: 'confirmed' }
  /** Nothing matched yet, and no two owners agree otherwise: ask another host. */
  | { readonly kind: 'unconfirmed' }
  /** Hosts of two owners agree on `digest`, unlike the known answer: it is in doubt. */
  | { readonly kind: 'disputed'; readonly digest: string };

export function knownAnswerVerdict(
  replicas: readonly ReplicaFacts[],
  known: string,
): KnownAnswerVerdict {
  const ownersOf = new Map<string, Set<string>>();
  for (const r of replicas) {
    if (r.state !== 'reported' || r.digest === null) continue;
    if (r.digest === known) return { kind: 'confirmed' };
    const owner = r.account == null ? `r${r.id}` : `a${r.account}`;
    const owners = ownersOf.get(r.digest) ?? new Set<string>();
    owners.add(owner);
    ownersOf.set(r.digest, owners);
  }
  for (const [digest, owners] of ownersOf)
    if (owners.size >= 2) return { kind: 'disputed', digest };
  return { kind: 'unconfirmed' };
}
