/**
 * @module
 * A host's (or an account's) reputation, read off its validation record: a score people
 * and placement rules can compare, and the quarantine decision. The score is the mean of
 * a Beta posterior on "a replica sent to this host comes back valid", starting from a
 * uniform prior (one pseudo-success, one pseudo-failure): successes are valid replicas,
 * failures are invalid, errored and timed-out ones. Abandoned replicas (handed back
 * politely) and results accepted alone (never compared) are not evidence either way.
 * The lower bound is the posterior mean less 1.645 posterior standard deviations (about a
 * one-sided 95 % bound), so a host with little history ranks below one with a long clean
 * one even when both means are high.
 *
 * Quarantine is separate from the score: a host is quarantined (sent no more work until
 * an admin releases it) once it carries `quarantineAt` strikes, i.e. invalid results not
 * yet forgiven by long clean stretches since.
 */

import { NO_PARTNERS } from './partner-accounts.js';
import { DEFAULT_FORGIVE_AFTER, strikes, type ValidationRecord } from './validation-record.js';

export interface Reputation {
  /** Posterior mean of the probability that a replica comes back valid, in (0, 1). */
  readonly score: number;
  /** About a one-sided 95 % lower bound on that probability, in [0, 1). */
  readonly lowerBound: number;
  /** Replicas that counted as evidence: valid, invalid, errored and timed out. */
  readonly judged: number;
}

/** The Beta(1 + good, 1 + bad) posterior mean and lower bound of a record. */
export function reputation(r: ValidationRecord): Reputation {
  const good = r.valid;
  const bad = r.invalid + r.errored + r.timedOut;
  const a = 1 + good;
  const b = 1 + bad;
  const n = a + b;
  const mean = a / n;
  const sd = Math.sqrt((a * b) / (n * n * (n + 1)));
  return { score: mean, lowerBound: Math.max(0, mean - 1.645 * sd), judged: good + bad };
}

/** Counters of several hosts added together: an account's record. Run counters are dropped. */
export function sumRecords(
  records: readonly ValidationRecord[],
): Pick<
  ValidationRecord,
  'valid' | 'invalid' | 'errored' | 'timedOut' | 'abandoned' | 'alone' | 'strikes'
> {
  const total = {
    valid: 0,
    invalid: 0,
    errored: 0,
    timedOut: 0,
    abandoned: 0,
    alone: 0,
    strikes: 0,
  };
  for (const r of records) {
    total.valid += r.valid;
    total.invalid += r.invalid;
    total.errored += r.errored;
    total.timedOut += r.timedOut;
    total.abandoned += r.abandoned;
    total.alone += r.alone;
    total.strikes += r.strikes;
  }
  return total;
}

export interface QuarantineParams {
  /** Strikes at which a host stops getting work. */
  readonly quarantineAt: number;
  /** Results accepted since the last invalid one that forgive one strike. */
  readonly forgiveAfter: number;
}

export const DEFAULT_QUARANTINE: QuarantineParams = {
  quarantineAt: 3,
  forgiveAfter: DEFAULT_FORGIVE_AFTER,
};

/**
 * Whether the host must get no more work. The coordinator checks this after recording an
 * invalid result and, once true, stops assigning to the host and says so in the API;
 * only an admin's `releaseFromQuarantine` brings it back.
 */
export function isQuarantined(
  r: ValidationRecord,
  p: QuarantineParams = DEFAULT_QUARANTINE,
): boolean {
  return strikes(r, p.forgiveAfter) >= p.quarantineAt;
}

/**
 * An admin's release: strikes are cleared, while the streak (and its partners) still
 * start from zero, so the host goes through the warm-up again before anything of its goes unreplicated.
 */
export function releaseFromQuarantine(r: ValidationRecord, now: number): ValidationRecord {
  return { ...r, strikes: 0, streak: 0, consecutiveValid: 0, since: now, partners: NO_PARTNERS };
}
