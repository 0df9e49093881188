/**
 * @module
 * Trust from several accounts (anti-collusion): which distinct accounts' hosts confirmed
 * a host's results since its last catch. A result counts towards trust when another
 * host's result agreed with it, but two accomplices agree with each other on anything:
 * in a cold pool (nobody trusted yet) a fast pair that holds both replicas of many tasks
 * would confirm itself through the warm-up and then be accepted alone. So the adaptive
 * rule (`adaptive-replication.ts`) trusts a host only once its confirmations came from
 * hosts of at least `partners` distinct other accounts: a pair, or a ring of fewer
 * accounts than that, never gets there by confirming each other, however long its
 * streak, while an honest host in a pool of many accounts meets that many within its
 * warm-up. Every account counts once, trusted or not: letting a trusted confirmer count
 * for more would let one account that earned trust honestly vouch an accomplice in, and
 * requiring one would leave a cold pool untrusted for ever.
 *
 * The record keeps the accounts themselves (a few numbers, at most `MAX_TRUST_PARTNERS`),
 * not a count, so that one partner confirming a hundred results counts once. A catch
 * empties the list as it ends the streak.
 */

import { MAX_TRUST_PARTNERS } from '@anygrid/protocol';

/** The list of a host no other account confirmed yet (shared: records are readonly). */
export const NO_PARTNERS: readonly number[] = Object.freeze([]);

/**
 * `kept` with the confirming `accounts` added, each once, up to `MAX_TRUST_PARTNERS`.
 * Returns `kept` itself when nothing is new, so the common case (a full list, or a
 * partner seen before) allocates nothing.
 */
export function withPartners(
  kept: readonly number[],
  accounts: readonly number[],
): readonly number[] {
  let out = kept;
  for (const a of accounts) {
    if (out.length >= MAX_TRUST_PARTNERS) break;
    if (!out.includes(a)) out = [...out, a];
  }
  return out;
}
