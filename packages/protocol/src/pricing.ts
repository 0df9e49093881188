/**
 * @module
 * Prices as providers ask them and jobs bound them (docs/incentives.md). Money is counted
 * in whole micro-credits (`Micros`: 1 credit = 1 000 000), never in floats, so that sums
 * are exact and every ledger entry is an integer.
 *
 * A provider asks per unit of resource: per normalized CPU-second (a second of one slot
 * at the reference benchmark speed, so a host twice as fast does a task's work in half the
 * wall time and earns the same for it), per GiB-second of memory, per GPU-second. A
 * volunteer asks zero. A job bounds what it pays with a ceiling per unit and a budget,
 * and picks a tier: its scheduling priority and the multiplier on what it pays.
 */

import { z } from 'zod';

/** Micro-credits per credit. */
export const MICROS_PER_CREDIT = 1_000_000;

/** An amount of money in whole micro-credits (up to a trillion credits). */
export const Micros = z
  .number()
  .int()
  .min(0)
  .max(1e18 / 1000);
export type Micros = z.infer<typeof Micros>;

/** What a host asks per unit of resource it spends on a replica, in micro-credits. */
export const Asks = z.strictObject({
  /** Per normalized CPU-second (a slot-second at the reference benchmark speed). */
  cpuSecond: Micros.default(0),
  /** Per GiB-second of the memory limit the task runs under. */
  memGiBSecond: Micros.default(0),
  /** Per GPU-second, for tasks that use an accelerator. */
  gpuSecond: Micros.default(0),
});
export type Asks = z.infer<typeof Asks>;
export type AsksInput = z.input<typeof Asks>;

/** A volunteer's asks: zero. */
export const FREE_ASKS: Asks = { cpuSecond: 0, memGiBSecond: 0, gpuSecond: 0 };

/** Service tiers: what a job pays over its hosts' asks, and how soon it is served. */
export const Tier = z.enum(['economy', 'standard', 'priority']);
export type Tier = z.infer<typeof Tier>;

/**
 * Per tier: the multiplier on the hosts' asks a job pays (the host gets its ask, the
 * difference goes to the platform, and economy's discount is the platform's fee forgone),
 * and the scheduling priority it adds (a `priority` job's replicas go before an
 * `economy` job's on a busy pool).
 */
export const TIERS: Readonly<
  Record<Tier, { readonly multiplier: number; readonly priority: number }>
> = {
  economy: { multiplier: 1, priority: -10 },
  standard: { multiplier: 1.1, priority: 0 },
  priority: { multiplier: 1.5, priority: 10 },
};

/** A job's pricing: the most it pays per unit, in all, and its tier. */
export const JobPricing = z.strictObject({
  /** The most the job pays per unit (before its tier's multiplier): hosts asking more get none of it. */
  ceiling: Asks,
  /** The most the job may cost in all, in micro-credits; default: tasks × maxTotal × the ceiling's cost of one replica. */
  budget: Micros.optional(),
  tier: Tier.default('standard'),
});
export type JobPricing = z.infer<typeof JobPricing>;
export type JobPricingInput = z.input<typeof JobPricing>;
