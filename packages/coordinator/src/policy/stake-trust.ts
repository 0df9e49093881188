/**
 * @module
 * What a provider's stake buys in the trust policy. A staked host has something to lose
 * beside its standing: each invalid result slashes a share of its account's stake
 * (`replica-cost.ts`, `slashAmount`). So it needs less proof before its results may go
 * unchecked — a shorter `adaptive` warm-up, which is also a faster fall of its
 * replication probability (`adaptive-replication.ts`: `(warm-up / (streak + 1))²`) —
 * and, in the reverse auction, it is preferred to an unstaked host as cheap and as
 * reputable (`price-fit.ts`, `outbids`).
 *
 * The warm-up share is `1 / (1 + stake / unit)`, never below `MIN_WARMUP_SHARE`: one
 * unit of stake halves the warm-up, three quarter it, more buys nothing. What stake
 * never buys: a lower floor (the floor bounds the rate of wrong results a trusted host
 * can slip through, docs/validation.md), fewer spot checks, or a pass on a catch — one
 * invalid result still makes the host untrusted, doubles its next warm-up, and lowers
 * the stake that shortened it. docs/incentives.md ("Stake and trust") gives the figures.
 */

/** The stake, micro-credits, that halves a host's warm-up: 10 credits. */
export const STAKE_UNIT = 10_000_000;

/** The shortest share of the warm-up stake can buy. */
export const MIN_WARMUP_SHARE = 0.25;

/** The share of the job's warm-up a host with this stake must serve: 1 unstaked, down to a quarter. */
export function warmupShare(stake: number, unit: number = STAKE_UNIT): number {
  if (!(stake > 0) || !(unit > 0)) return 1;
  return Math.max(MIN_WARMUP_SHARE, 1 / (1 + stake / unit));
}

/** The warm-up a host with this stake must serve: at least one result, whatever it staked. */
export function stakedWarmup(warmup: number, stake: number, unit: number = STAKE_UNIT): number {
  return Math.max(1, Math.round(warmup * warmupShare(stake, unit)));
}

/**
 * Whether stake `a` backs a host clearly more than stake `b`: by at least one unit,
 * since stakes differing by a few micro-credits should not move work between hosts.
 */
export function stakeOutranks(a: number, b: number, unit: number = STAKE_UNIT): boolean {
  return a - b >= unit;
}
