/**
 * @module
 * BOINC's adaptive replication, kept as the baseline the `adaptive` rule is measured
 * against (bench/verification.js) and as an option for operators who want BOINC's
 * behaviour. As BOINC's scheduler does it (`set_trust` in sched_version.cpp): a host
 * whose `consecutive_valid` is below 10 always gets replicated jobs; from 10 on, a job
 * is replicated with probability 1 / consecutive_valid. The validator adds one to
 * `consecutive_valid` only for results that were compared (not for those accepted
 * alone) and resets it on an invalid result; the scheduler resets it on a client error.
 * The record's `consecutiveValid` follows exactly these rules.
 *
 * Its weakness, which the benchmark shows: the replication probability starts at 1/10
 * the moment a host is trusted and keeps falling, with no floor, so a host that behaves
 * until it is trusted and then cheats now and then is seldom compared, and nothing it
 * slipped through is ever looked at again.
 */

import type { Random } from './seeded-random.js';
import type { ValidationRecord } from './validation-record.js';

/** BOINC's `CONS_VALID_UNREPLICATED`: confirmed results in a row before a job may go unreplicated. */
export const BOINC_TRUST_AFTER = 10;

/** Whether BOINC would send this host unreplicated jobs at all. */
export function boincIsTrusted(r: ValidationRecord): boolean {
  return r.consecutiveValid >= BOINC_TRUST_AFTER;
}

/** BOINC's probability that this host's next job is replicated. */
export function boincReplicationProbability(r: ValidationRecord): number {
  return boincIsTrusted(r) ? 1 / r.consecutiveValid : 1;
}

/** At assignment of a job's first replica: does BOINC replicate it? */
export function boincShouldReplicate(r: ValidationRecord, random: Random = Math.random): boolean {
  if (!boincIsTrusted(r)) return true;
  // BOINC: `if (drand() > 1/consecutive_valid) trusted = true`.
  return random() <= 1 / r.consecutiveValid;
}
