/**
 * @module
 * The continuous reverse auction's rules (docs/incentives.md, "Prices and the reverse
 * auction"): whether a host's asks fit a job's pricing, and which of two hosts a paid
 * job's work should go to first. A job without pricing is a volunteer job: only hosts
 * asking zero run it, so a provider who asks a price never works for free by accident,
 * and a grid of volunteers (every host asks zero by default) sees no change. A paid job
 * runs on every host whose asks are each at or under its ceiling's, volunteers
 * included. There are no bid rounds: each pull is an auction of one bidder, and the
 * scheduler holds a paid job's work back from a host for a moment only while a cheaper
 * (or as cheap and more reputable, or as cheap and more staked) host is waiting for
 * work. Pure.
 */

import type { Asks, JobPricing } from '@anygrid/protocol';
import { stakeOutranks } from './stake-trust.js';

/** Whether every ask is zero: a volunteer. */
export function asksNothing(asks: Asks): boolean {
  return asks.cpuSecond === 0 && asks.memGiBSecond === 0 && asks.gpuSecond === 0;
}

/**
 * Whether a host asking `asks` may run a job priced `pricing`: each ask at or under the
 * ceiling's; without pricing (a free job), only a host asking nothing.
 */
export function priceFits(asks: Asks, pricing: JobPricing | undefined): boolean {
  if (pricing === undefined) return asksNothing(asks);
  const c = pricing.ceiling;
  return (
    asks.cpuSecond <= c.cpuSecond &&
    asks.memGiBSecond <= c.memGiBSecond &&
    asks.gpuSecond <= c.gpuSecond
  );
}

/** Which asks exceed the ceiling, for diagnostics: `cpuSecond`, `memGiBSecond`, `gpuSecond`. */
export function unitsOver(asks: Asks, ceiling: Asks): (keyof Asks)[] {
  return (['cpuSecond', 'memGiBSecond', 'gpuSecond'] as const).filter((k) => asks[k] > ceiling[k]);
}

/** What a replica's resources weigh, to compare hosts' asks for one job. */
export interface ReplicaShape {
  /** GiB of memory the task runs under (its memory limit). */
  readonly memGiB: number;
  /** Whether it uses an accelerator (its GPU-seconds count). */
  readonly gpu: boolean;
}

/**
 * What a host charges for one normalized CPU-second of the job's work, in micro-credits
 * (a float: a ranking key, never an amount charged): its CPU ask, its memory ask times
 * the memory the task holds, its GPU ask when the job uses one.
 */
export function unitCost(asks: Asks, shape: ReplicaShape): number {
  return asks.cpuSecond + asks.memGiBSecond * shape.memGiB + (shape.gpu ? asks.gpuSecond : 0);
}

/** A host bidding for a paid job's work: its cost per unit, its reputation and its stake. */
export interface Bid {
  readonly cost: number;
  /** Reputation lower bound (policy/reputation.ts), 0..1. */
  readonly reputation: number;
  /** Its account's stake, micro-credits (stake-trust.ts). */
  readonly stake: number;
}

/**
 * Reputation a host must lead by to be preferred at an equal price: the lower bound
 * moves a little with every result, and ties broken on noise would shuffle work
 * between equally good hosts for nothing.
 */
export const REPUTATION_MARGIN = 0.05;

/**
 * Whether `a` should get the work before `b`: cheaper; or as cheap and clearly more
 * reputable; or as cheap, about as reputable, and clearly more staked — a stake is what
 * a host loses when caught, so it backs the bid where reputation cannot tell them apart.
 */
export function outbids(a: Bid, b: Bid): boolean {
  if (a.cost !== b.cost) return a.cost < b.cost;
  if (a.reputation > b.reputation + REPUTATION_MARGIN) return true;
  return a.reputation >= b.reputation - REPUTATION_MARGIN && stakeOutranks(a.stake, b.stake);
}

/** Orders bids best first (cheapest, then most reputable, then most staked): for quotes and tests. */
export function compareBids(a: Bid, b: Bid): number {
  return a.cost - b.cost || b.reputation - a.reputation || b.stake - a.stake;
}

/** The cheapest of the hosts' asks by `unitCost`, or undefined when there are none. */
export function cheapestAsks(all: readonly Asks[], shape: ReplicaShape): Asks | undefined {
  let best: Asks | undefined;
  for (const a of all)
    if (best === undefined || unitCost(a, shape) < unitCost(best, shape)) best = a;
  return best;
}
