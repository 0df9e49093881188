/**
 * @module
 * How promptly a host answers, as the coordinator measures it from its own clock: its
 * turnaround (from a replica's sending to its report, an exponentially weighted mean so
 * that it follows a host whose load or link changes) and its on-time rate (replicas
 * reported before their deadline, against those reported in time plus those that timed
 * out while their task still needed them). Both are folded in once per host per store
 * transaction, from the sums the transaction gathered. Pure.
 */

/** Weight of one new report in the turnaround mean: about the last 20 reports count. */
export const TURNAROUND_WEIGHT = 0.1;

/**
 * The turnaround mean after `n` reports whose turnarounds add up to `sumMs`. A batch is
 * folded as `n` reports of its mean turnaround, which is exact for the mean of equal
 * reports and close for a batch of one host's replicas sent together. Null when there
 * is none yet.
 */
export function foldTurnaround(
  previousMs: number | null,
  sumMs: number,
  n: number,
  weight: number = TURNAROUND_WEIGHT,
): number | null {
  if (n <= 0) return previousMs;
  const mean = Math.max(0, sumMs) / n;
  if (previousMs === null) return mean;
  const keep = (1 - weight) ** n;
  return previousMs * keep + mean * (1 - keep);
}

/** Replicas reported in time over those that finished either way; null before any did. */
export function onTimeRate(onTime: number, timedOut: number): number | null {
  const finished = onTime + timedOut;
  return finished <= 0 ? null : onTime / finished;
}
