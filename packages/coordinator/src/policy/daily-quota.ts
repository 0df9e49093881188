/**
 * @module
 * A host's daily replica quota, BOINC's "max results per day": how many replicas the
 * host may be sent in one UTC day. A host that keeps failing (errors, timeouts) burns
 * through little work before it is cut off, and one that behaves well is not held back.
 * Each failed replica halves the quota (BOINC takes one off, but our quotas are large
 * since tasks may last a millisecond: halving brings a host that only fails down to the
 * minimum within a day's first few dozen failures); each accepted result doubles it
 * again, up to the maximum. A replica answered (or handed back) gives its share of the
 * day's quota back, so the quota bounds the work a host was sent and did not answer: a
 * new host starts below the maximum, so one that pulls work and never answers holds at
 * most `initial` replicas on its first day, while a fast honest host, whose results may
 * wait long for a second opinion, is never held back by it.
 */

export interface DailyQuotaParams {
  /** Quota of a host never seen before. */
  readonly initial: number;
  /** Highest quota, reached again by accepted results. */
  readonly max: number;
  /** Lowest quota: a failing host may still try, and so show it recovered. */
  readonly min: number;
}

export const DEFAULT_DAILY_QUOTA: DailyQuotaParams = {
  initial: 2_000,
  max: 10_000_000,
  min: 1,
};

/** Halvings and doublings beyond this change nothing (quotas stay far below 2^30). */
const MAX_SHIFT = 30;

/** The UTC day number of an epoch-ms time: quotas reset when it changes. */
export function utcDay(now: number): number {
  return Math.floor(now / 86_400_000);
}

/**
 * The quota after a transaction's outcomes for one host: failures (errored and timed-out
 * replicas) halve it first, then accepted results (valid, or accepted alone) double it.
 */
export function nextQuota(
  quota: number,
  accepted: number,
  failed: number,
  p: DailyQuotaParams = DEFAULT_DAILY_QUOTA,
): number {
  let q = Math.max(p.min, Math.floor(quota / 2 ** Math.min(failed, MAX_SHIFT)));
  q = Math.min(p.max, q * 2 ** Math.min(accepted, MAX_SHIFT));
  return Math.max(p.min, Math.min(p.max, q));
}

/** Replicas the host may still be sent today, given what it was sent on `usedDay`. */
export function quotaLeft(quota: number, used: number, usedDay: number, now: number): number {
  const today = usedDay === utcDay(now) ? used : 0;
  return Math.max(0, quota - today);
}
