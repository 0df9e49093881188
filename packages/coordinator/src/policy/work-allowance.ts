/**
 * @module
 * How many replicas one work request may carry to a host: the defence against hosts that
 * pull work and never answer (hoarding), which delays every task they hold until its
 * deadline. A quarantined host gets none; no host gets more than its daily quota left;
 * and a host's share of what it asks for shrinks with its failures: it receives
 * `(accepted + 1) / (accepted + 1 + failed)` of its request (at least one replica), so a
 * new host is served in full, a host whose replicas time out is served less at each
 * pull, and a long clean record absorbs an odd failure.
 */

import { quotaLeft } from './daily-quota.js';

/** What the allowance reads of a host: its standing in the store. */
export interface HostStanding {
  readonly quarantined: boolean;
  /** Today's daily quota. */
  readonly quota: number;
  /** Replicas sent on `quotaDay`. */
  readonly quotaUsed: number;
  /** The UTC day (`utcDay`) `quotaUsed` counts. */
  readonly quotaDay: number;
  /** Results accepted: valid, or accepted alone. */
  readonly accepted: number;
  /** Replicas errored or timed out. */
  readonly failed: number;
}

/**
 * The hard bound: replicas the host may still be sent at `now` whatever it asks for
 * (none while quarantined, else its quota left today). The assignment enforces this one
 * in its transaction; the share of a request is the scheduler's to apply.
 */
export function sendableNow(h: HostStanding, now: number): number {
  return h.quarantined ? 0 : quotaLeft(h.quota, h.quotaUsed, h.quotaDay, now);
}

/** Replicas a request for `requested` may carry to the host at `now`. */
export function workAllowance(h: HostStanding, requested: number, now: number): number {
  if (requested <= 0) return 0;
  const share = (h.accepted + 1) / (h.accepted + 1 + h.failed);
  return Math.min(sendableNow(h, now), Math.max(1, Math.floor(requested * share)));
}
