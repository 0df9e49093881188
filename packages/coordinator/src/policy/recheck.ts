/**
 * @module
 * What to verify again when a host is caught (an invalid result, a failed spot check).
 * A cheater that went unnoticed for a while has results standing that nobody compared,
 * or that only agreed with another untrusted host (perhaps its accomplice). Every such
 * result accepted since the host's previous catch is suspect; those from before were
 * already re-checked at that catch. Results confirmed by a trusted host stand: should
 * that host turn out bad too, its own catch re-checks them.
 *
 * The coordinator, on recording an invalid result: reads the host's record *before*
 * `recordInvalid`, loads the host's accepted results with `acceptedAt >= record.since`,
 * and reopens every task `resultsToRecheck` names. A reopened task is settled again by
 * comparison (quorum 2) among its replicas that are not the caught host's, its new
 * replicas placed as checking replicas (`mayTake`: trusted hosts first). If the canonical
 * result changes, the requester's stream reports the correction; hosts that agreed with
 * the old, wrong result are judged invalid (which re-checks their results in turn), and
 * hosts that had been judged invalid against it are exonerated (`recordExonerated`).
 */

import type { ValidationRecord } from './validation-record.js';

/** How an accepted result of the host was confirmed, as recorded when it was accepted. */
export type Confirmation =
  /** Accepted alone, uncompared: the host was trusted. */
  | 'alone'
  /** Agreed with replicas of untrusted hosts only. */
  | 'untrusted'
  /** Agreed with a replica of at least one host that was trusted at the time. */
  | 'trusted';

export interface AcceptedResult {
  readonly taskId: number;
  /** When the task settled with this host's replica in its canonical group, in ms. */
  readonly acceptedAt: number;
  readonly confirmation: Confirmation;
}

/** How a result's confirmation is classified, from the other members of its agreeing group. */
export function confirmationOf(othersTrusted: readonly boolean[]): Confirmation {
  if (othersTrusted.length === 0) return 'alone';
  return othersTrusted.some(Boolean) ? 'trusted' : 'untrusted';
}

/**
 * The tasks to settle again after catching the host whose record (before the catch) is
 * `caught`: its results accepted since its previous catch that no trusted host confirmed.
 */
export function resultsToRecheck(
  caught: ValidationRecord,
  results: readonly AcceptedResult[],
): number[] {
  const out: number[] = [];
  for (const r of results) {
    if (r.acceptedAt >= caught.since && r.confirmation !== 'trusted') out.push(r.taskId);
  }
  return out;
}
