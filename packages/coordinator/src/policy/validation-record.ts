/**
 * @module
 * A host's validation record: what became of the replicas it returned, as the
 * validator judged them. It is the state every trust decision reads (the adaptive rule,
 * BOINC's rule, reputation, quarantine) and the only per-host state they need, so the
 * store keeps one row of counters per host and the simulator one object. Transitions are
 * pure: each takes a record and returns the next one.
 *
 * Counters fall in two groups. Lifetime counts (`valid`, `invalid`, `errored`,
 * `timedOut`, `abandoned`, `alone`) feed reputation and are shown to people. Run
 * counters say how far the host is into its current stretch of good behaviour: `streak`
 * (results accepted since its last invalid one), `consecutiveValid` (BOINC's counter:
 * results confirmed by comparison since its last invalid or errored one), `since` (when
 * the stretch began, the oldest result a catch re-checks), `strikes` (invalid
 * results not yet forgiven, as of the last one) and `partners` (the distinct accounts
 * whose hosts confirmed its results in the stretch, `partner-accounts.ts`).
 */

import { NO_PARTNERS, withPartners } from './partner-accounts.js';

/** Results since the last invalid one that forgive one strike, unless the caller says otherwise. */
export const DEFAULT_FORGIVE_AFTER = 1000;

export interface ValidationRecord {
  /** Replicas confirmed correct: they agreed with a canonical result or a known answer. */
  readonly valid: number;
  /** Replicas shown wrong: they disagreed with a canonical result or a known answer. */
  readonly invalid: number;
  /** Replicas the host reported as failed (crash, limit exceeded). */
  readonly errored: number;
  /** Replicas not reported by their deadline. */
  readonly timedOut: number;
  /** Replicas the host handed back unrun: not held against it. */
  readonly abandoned: number;
  /** Results accepted without comparison, because the host was trusted. */
  readonly alone: number;
  /** Results accepted (confirmed or alone) since the last invalid one. */
  readonly streak: number;
  /** Confirmed results since the last invalid or errored one: BOINC's `consecutive_valid`. */
  readonly consecutiveValid: number;
  /** Strikes (invalid results not yet forgiven) counted at the last invalid result. */
  readonly strikes: number;
  /** When the current stretch began (the last invalid result, or the first sight of the host), in ms. */
  readonly since: number;
  /**
   * Its account's stake, micro-credits, as read with the record (`stake-trust.ts`): not
   * a count of this record, so never written with it; carried through every transition.
   */
  readonly stake: number;
  /**
   * Accounts (other than the host's) whose hosts' results agreed with one of its results
   * since the last invalid one, each once, at most `MAX_TRUST_PARTNERS`: trust needs
   * several (`partner-accounts.ts`).
   */
  readonly partners: readonly number[];
}

/** The record of a host never seen before (with `stake` 0: the store reads the real one with the record). */
export function newValidationRecord(now: number): ValidationRecord {
  return {
    valid: 0,
    invalid: 0,
    errored: 0,
    timedOut: 0,
    abandoned: 0,
    alone: 0,
    streak: 0,
    consecutiveValid: 0,
    strikes: 0,
    since: now,
    stake: 0,
    partners: NO_PARTNERS,
  };
}

/**
 * A replica agreed with the canonical result or with a known answer. `partners`: the
 * accounts of the other hosts in its agreeing group (none for a known answer, which
 * lengthens the streak but vouches for nobody's independence).
 */
export function recordValid(
  r: ValidationRecord,
  partners: readonly number[] = NO_PARTNERS,
  /** The longest the streak may grow (`recordConfirmed`: a partnerless streak stops at the warm-up). */
  maxStreak = Number.POSITIVE_INFINITY,
): ValidationRecord {
  return withCounts(
    r,
    r.valid + 1,
    r.alone,
    Math.min(r.streak + 1, maxStreak),
    r.consecutiveValid + 1,
    withPartners(r.partners, partners),
  );
}

/**
 * A result was accepted alone, uncompared. It lengthens the streak (the host survived
 * one more chance of being checked) but not `consecutiveValid`, which, as in BOINC's
 * validator, counts only results that were compared.
 */
export function recordAlone(r: ValidationRecord): ValidationRecord {
  return withCounts(r, r.valid, r.alone + 1, r.streak + 1, r.consecutiveValid, r.partners);
}

/**
 * The record with new counts of accepted results. Written out field by field rather than
 * spread: it runs once per settled task, and a spread of this object cost about 0.7 µs.
 */
function withCounts(
  r: ValidationRecord,
  valid: number,
  alone: number,
  streak: number,
  consecutiveValid: number,
  partners: readonly number[],
): ValidationRecord {
  return {
    valid,
    invalid: r.invalid,
    errored: r.errored,
    timedOut: r.timedOut,
    abandoned: r.abandoned,
    alone,
    streak,
    consecutiveValid,
    strikes: r.strikes,
    since: r.since,
    stake: r.stake,
    partners,
  };
}

/**
 * Strikes the host carries now: those counted at its last invalid result, less one per
 * `forgiveAfter` results accepted since. Forgiveness is earned after a strike, never
 * banked before one, so a long honest past buys no licence to cheat later.
 */
export function strikes(r: ValidationRecord, forgiveAfter = DEFAULT_FORGIVE_AFTER): number {
  return Math.max(0, r.strikes - Math.floor(r.streak / forgiveAfter));
}

/**
 * A replica disagreed with the canonical result or a known answer: one more strike, and
 * every run counter starts again from `now`, its partners too (accounts that confirmed
 * a host now known to cheat say nothing of its next stretch). Read `since` before this call to know which
 * results the catch must re-check (see `recheck.ts`).
 */
export function recordInvalid(
  r: ValidationRecord,
  now: number,
  forgiveAfter = DEFAULT_FORGIVE_AFTER,
): ValidationRecord {
  return {
    ...r,
    invalid: r.invalid + 1,
    strikes: strikes(r, forgiveAfter) + 1,
    streak: 0,
    consecutiveValid: 0,
    since: now,
    partners: NO_PARTNERS,
  };
}

/**
 * A re-check overturned the result this host was judged invalid against: its replica
 * was right after all. The invalid result and its strike are withdrawn; the streak it
 * lost is not given back (that would need history the record does not keep), which
 * costs an honest host one more warm-up, not its standing.
 */
export function recordExonerated(r: ValidationRecord): ValidationRecord {
  return {
    ...r,
    valid: r.valid + 1,
    invalid: Math.max(0, r.invalid - 1),
    strikes: Math.max(0, r.strikes - 1),
  };
}

/** Ways a replica ends without a result to judge. */
export type ReplicaFailure = 'errored' | 'timed_out' | 'abandoned';

/**
 * A replica ended without a result. Failures are not wrong answers, so they leave the
 * streak (and so trust) alone; they count in reputation, and an error resets BOINC's
 * `consecutiveValid` as BOINC's scheduler does.
 */
export function recordFailure(r: ValidationRecord, failure: ReplicaFailure): ValidationRecord {
  if (failure === 'abandoned') return { ...r, abandoned: r.abandoned + 1 };
  if (failure === 'timed_out') return { ...r, timedOut: r.timedOut + 1 };
  return { ...r, errored: r.errored + 1, consecutiveValid: 0 };
}
