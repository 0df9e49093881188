/**
 * @module
 * Recent average credit (BOINC's RAC): credit granted decays exponentially with a
 * half-life of `CREDIT_HALF_LIFE_MS` (a week), and the decayed sum S, scaled by
 * ln 2 / half-life, reads as credits per day — a host granted r credits every day
 * converges to r.
 *
 * S changes with time even when nothing is granted, so it is stored as a key that does
 * not: log2(S) + t / half-life, S's value carried back to the epoch on a log scale. Then
 * S at any time is 2^(key − now / half-life), adding a grant is one read and one write,
 * and ordering by the key is ordering by recent average at every moment, so a leaderboard
 * by recent credit is an index scan rather than a decay of every row. (S itself at the
 * epoch would be 2^2900 today, past a double; its log is about 2900 and keeps ~13 digits.)
 */

import { CREDIT_HALF_LIFE_MS, CREDIT_MICROS } from '@anygrid/protocol';

const DAY_MS = 24 * 3600 * 1000;

/** The decayed sum (micro-credits) at `now` of a stored key; 0 for none. */
export function decayedSum(
  key: number | null,
  now: number,
  halfLifeMs = CREDIT_HALF_LIFE_MS,
): number {
  if (key === null) return 0;
  return 2 ** (key - now / halfLifeMs);
}

/** The key after `amount` micro-credits are granted at `now`. */
export function addGrant(
  key: number | null,
  amount: number,
  now: number,
  halfLifeMs = CREDIT_HALF_LIFE_MS,
): number | null {
  const sum = decayedSum(key, now, halfLifeMs) + amount;
  if (!(sum > 0)) return key;
  return Math.log2(sum) + now / halfLifeMs;
}

/**
 * The key after a grant of `amount` made at `grantedAt` is taken back at `now`: what is
 * left of it by now comes off the decayed sum (null once nothing is left).
 */
export function removeGrant(
  key: number | null,
  amount: number,
  grantedAt: number,
  now: number,
  halfLifeMs = CREDIT_HALF_LIFE_MS,
): number | null {
  const left = amount * 2 ** (-(now - grantedAt) / halfLifeMs);
  const sum = decayedSum(key, now, halfLifeMs) - left;
  // Rounding can leave a sliver of a sum that was all this grant's.
  if (!(sum > amount * 1e-9)) return null;
  return Math.log2(sum) + now / halfLifeMs;
}

/** Recent average credit at `now`, in credits per day. */
export function recentPerDay(
  key: number | null,
  now: number,
  halfLifeMs = CREDIT_HALF_LIFE_MS,
): number {
  const sum = decayedSum(key, now, halfLifeMs);
  return ((sum / CREDIT_MICROS) * Math.LN2 * DAY_MS) / halfLifeMs;
}
