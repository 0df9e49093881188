/**
 * @module
 * The `adaptive` validation rule: how likely a host's next task is to be replicated,
 * given its validation record. A host starts untrusted and every task of it is
 * replicated. Once `warmup` results in a row have been accepted (doubled for each strike
 * it carries), and hosts of at least `partners` distinct other accounts confirmed them
 * (so that a colluding pair, or a ring of fewer accounts, never confirms itself into
 * trust: `partner-accounts.ts`), it is trusted: its tasks are replicated with probability
 * `(warmup' / (streak + 1))²`, falling with every result it adds to the streak, never
 * below `floor`; and one in `1 / spotCheckRate` of its work requests is answered with a
 * known-answer task instead. One invalid result ends the streak: the host is untrusted
 * again, the results it had accepted alone since its last catch are re-checked
 * (`recheck.ts`), it carries one more strike, and at `quarantineAt` strikes it gets no
 * more work (`reputation.ts`).
 *
 * Why it beats BOINC's rule against a host that is honest until trusted and then wrong
 * at rate s: BOINC replicates a just-trusted host with probability 1/10, falling from
 * there and towards zero, so the cheater is rarely seen; here replication starts near 1
 * and falls with the square of the streak, so a cheater is checked about `s · warmup`
 * times over the ramp and is caught there with probability about 1 − e^(−s·warmup), at
 * the price of about `warmup` extra replicas per honest host, once. Behind the ramp, the
 * floor and the spot checks keep catching, re-checks take back what a cheater slipped
 * through, and strikes lengthen each new warm-up and end in quarantine. docs/validation.md
 * has the figures.
 *
 * A staked host's warm-up is shorter (`stake-trust.ts`): it has more to lose when caught.
 *
 * Decisions, and what the coordinator does with each:
 * - `shouldReplicate` when it assigns a task's first replica: true → create a second
 *   replica (quorum 2) for another host; false → the task may settle on this one result.
 * - `mayAcceptAlone` when the unreplicated result comes back: false (the host was caught
 *   meanwhile) → create a second replica before accepting anything.
 * - `spotCheckNow` when a host asks for work: true → send one known-answer task first.
 * - `mayTake` when it picks queued replicas for a host: a replica that checks another (a
 *   replicated task's second, a tie-breaker, a re-check) waits a while for a trusted host.
 * - `isTrusted` when a task settles, to record how each result was confirmed (`recheck.ts`).
 */

import { NO_PARTNERS, withPartners } from './partner-accounts.js';
import { DEFAULT_QUARANTINE } from './reputation.js';
import type { Random } from './seeded-random.js';
import { STAKE_UNIT, stakedWarmup } from './stake-trust.js';
import {
  DEFAULT_FORGIVE_AFTER,
  recordValid,
  strikes,
  type ValidationRecord,
} from './validation-record.js';

export interface AdaptiveParams {
  /** Results accepted in a row (since the last invalid one) before a task may go unreplicated. */
  readonly warmup: number;
  /** The lowest replication probability of a trusted host. */
  readonly floor: number;
  /** Probability that a trusted host's work request is answered with a known-answer task. */
  readonly spotCheckRate: number;
  /** Each strike doubles the warm-up, up to this many times. */
  readonly maxDoublings: number;
  /** Results accepted since the last invalid one that forgive one strike. */
  readonly forgiveAfter: number;
  /** Strikes at which a host gets no more work. */
  readonly quarantineAt: number;
  /** How long a checking replica waits for a trusted host before any host may take it, in ms. */
  readonly trustedWaitMs: number;
  /** The stake, micro-credits, that halves a host's warm-up (`stake-trust.ts`). */
  readonly stakeUnit: number;
  /**
   * Distinct other accounts whose hosts must have confirmed the host's results since its
   * last catch before it is trusted (at most `MAX_TRUST_PARTNERS`; 0: no such rule).
   */
  readonly partners: number;
}

export const DEFAULT_ADAPTIVE: AdaptiveParams = {
  warmup: 20,
  floor: 0.05,
  spotCheckRate: 0.01,
  maxDoublings: 6,
  forgiveAfter: DEFAULT_FORGIVE_AFTER,
  quarantineAt: DEFAULT_QUARANTINE.quarantineAt,
  trustedWaitMs: 30_000,
  stakeUnit: STAKE_UNIT,
  partners: 3,
};

/**
 * The streak this host needs before any of its tasks may go unreplicated: the warm-up,
 * shortened by its stake, doubled for each strike.
 */
export function requiredStreak(r: ValidationRecord, p: AdaptiveParams = DEFAULT_ADAPTIVE): number {
  const warmup = r.stake > 0 ? stakedWarmup(p.warmup, r.stake, p.stakeUnit) : p.warmup;
  return warmup * 2 ** Math.min(strikes(r, p.forgiveAfter), p.maxDoublings);
}

/**
 * Whether some of this host's tasks may go unreplicated: it has done its warm-up, and
 * hosts of enough distinct other accounts confirmed it (a long streak confirmed by one
 * accomplice earns nothing).
 */
export function isTrusted(r: ValidationRecord, p: AdaptiveParams = DEFAULT_ADAPTIVE): boolean {
  return r.streak >= requiredStreak(r, p) && r.partners.length >= p.partners;
}

/**
 * The record after a confirmation by hosts of `accounts`, as the adaptive rule keeps it:
 * while hosts of too few other accounts have confirmed the host, its streak stops at the
 * warm-up it needs. The ramp after the warm-up is measured from the streak, so without
 * this stop a pair that confirmed each other a thousand times would start at the floor
 * the moment three honest partners came along; with it, trust starts where everyone's
 * starts. (The cap goes into `recordValid`'s one new record: no second copy per result.)
 */
export function recordConfirmed(
  r: ValidationRecord,
  accounts: readonly number[] = NO_PARTNERS,
  p: AdaptiveParams = DEFAULT_ADAPTIVE,
): ValidationRecord {
  const enough = withPartners(r.partners, accounts).length >= p.partners;
  return recordValid(r, accounts, enough ? Number.POSITIVE_INFINITY : requiredStreak(r, p));
}

/** Probability that this host's next task is replicated: 1 while untrusted, then falling to `floor`. */
export function replicationProbability(
  r: ValidationRecord,
  p: AdaptiveParams = DEFAULT_ADAPTIVE,
): number {
  if (!isTrusted(r, p)) return 1;
  const ramp = requiredStreak(r, p) / (r.streak + 1);
  return Math.max(p.floor, ramp * ramp);
}

/** At assignment of a task's first replica: replicate it? */
export function shouldReplicate(
  r: ValidationRecord,
  p: AdaptiveParams = DEFAULT_ADAPTIVE,
  random: Random = Math.random,
): boolean {
  const q = replicationProbability(r, p);
  return q >= 1 || random() < q;
}

/**
 * At report of a result that was sent unreplicated: may it be accepted alone? Only if
 * the host is still trusted, since it may have been caught after the task was sent.
 */
export function mayAcceptAlone(r: ValidationRecord, p: AdaptiveParams = DEFAULT_ADAPTIVE): boolean {
  return isTrusted(r, p);
}

/**
 * At a work request: answer with a known-answer task first? Only trusted hosts are spot
 * checked; untrusted ones are compared on every task already.
 */
export function spotCheckNow(
  r: ValidationRecord,
  p: AdaptiveParams = DEFAULT_ADAPTIVE,
  random: Random = Math.random,
): boolean {
  return p.spotCheckRate > 0 && isTrusted(r, p) && random() < p.spotCheckRate;
}

/** Why a replica exists: its task's first, or one that checks others (second, tie-breaker, re-check). */
export type ReplicaRole = 'first' | 'check';

/**
 * At a work request, for a queued replica: may this host take it? Anyone may take a
 * task's first replica. A checking replica goes to a trusted host if one asks within
 * `trustedWaitMs` of `queuedAt`, and to anyone after that, so that two untrusted hosts
 * (perhaps accomplices) form a quorum only when no trusted host is about, and a tie is
 * broken by a host with a record.
 */
export function mayTake(
  r: ValidationRecord,
  role: ReplicaRole,
  queuedAt: number,
  now: number,
  p: AdaptiveParams = DEFAULT_ADAPTIVE,
): boolean {
  return role === 'first' || now - queuedAt >= p.trustedWaitMs || isTrusted(r, p);
}
