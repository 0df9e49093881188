/**
 * @module
 * What a replica of a paid job costs (docs/incentives.md, "Cost"). Pure integer
 * arithmetic on micro-credits (BigInt inside, since a day of milliseconds times a large
 * ask passes 2^53): the same inputs give the same amount on every coordinator, in the
 * store's transaction and in the ledger check alike.
 *
 * A replica is billed in normalized microseconds (tasks of a millisecond are common, and
 * rounding them to zero would make them free): its reported run time (a provider's
 * claim) times its host's benchmark speed over the reference speed, so a host twice as
 * fast earns the same for a task in half the wall time. The claim is bounded three ways:
 * by the job's wall-time limit (no run lasts longer), by twice the task's measured size
 * when one is known (a host that says it took far longer than others is not believed),
 * and the bill never passes the wall-time limit in normalized time either, which is what
 * makes a job's maximum cost, reserved at submit, a true maximum.
 */

import type { Asks, JobPricing, Tier } from '@anygrid/protocol';
import { REFERENCE_SPEED, TIERS } from '@anygrid/protocol';

/** A normalized second is `REFERENCE_SPEED` benchmark operations (protocol credit.ts): credit and billing share it. */
export { REFERENCE_SPEED };

/** A replica's claim is believed up to this many times its task's measured size. */
export const MEASURED_SIZE_SLACK = 2;

const GIB = 1024n ** 3n;

/** What a replica's bill is measured from. */
export interface BillFacts {
  /** The run time the host reported, ms. */
  readonly durationMs: number;
  /** The host's benchmark speed; null when it never said: counted at the reference speed. */
  readonly hostSpeed: number | null;
  /** The task's measured or estimated size in benchmark operations; null when unknown. */
  readonly taskOps: number | null;
  /** The job's wall-time limit, ms. */
  readonly wallTimeMs: number;
}

/** A replica's billed time in normalized microseconds (whole, rounded down). */
export function billedUs(f: BillFacts): number {
  const ms = Math.min(Math.max(0, f.durationMs), f.wallTimeMs);
  let normalized = (ms * (f.hostSpeed ?? REFERENCE_SPEED)) / REFERENCE_SPEED;
  if (f.taskOps !== null && f.taskOps > 0) {
    normalized = Math.min(normalized, (MEASURED_SIZE_SLACK * f.taskOps * 1000) / REFERENCE_SPEED);
  }
  return Math.floor(Math.min(normalized, f.wallTimeMs) * 1000);
}

/** The resources a replica is billed for. */
export interface Usage {
  /** Normalized microseconds (`billedUs`). */
  readonly us: number;
  /** The job's memory limit, bytes: memory is billed as reserved, not as used. */
  readonly memoryBytes: number;
  /** Whether the job's tasks need an accelerator: only then are GPU-seconds billed. */
  readonly gpu: boolean;
}

/** What asks come to for a usage: what the host earns, in micro-credits (rounded down). */
export function askCost(asks: Asks, u: Usage): number {
  const us = BigInt(u.us);
  const cpu = (us * BigInt(asks.cpuSecond)) / 1_000_000n;
  const mem = (us * BigInt(u.memoryBytes) * BigInt(asks.memGiBSecond)) / (1_000_000n * GIB);
  const gpu = u.gpu ? (us * BigInt(asks.gpuSecond)) / 1_000_000n : 0n;
  return Number(cpu + mem + gpu);
}

/** The asks a host is paid at under a job's ceiling: per unit, the lower of the two. */
export function paidAsks(host: Asks, ceiling: Asks): Asks {
  return {
    cpuSecond: Math.min(host.cpuSecond, ceiling.cpuSecond),
    memGiBSecond: Math.min(host.memGiBSecond, ceiling.memGiBSecond),
    gpuSecond: Math.min(host.gpuSecond, ceiling.gpuSecond),
  };
}

/** What the requester pays for a replica whose host earns `hostCost`, split by destination. */
export interface Charge {
  /** To the provider's earnings: the host's ask. */
  readonly host: number;
  /** To the platform: the tier's multiplier over the ask plus the platform fee. */
  readonly fees: number;
  /** host + fees, from the job's escrow. */
  readonly total: number;
}

/** Basis points (1/100 of a percent) of a percentage, so that fees stay integers. */
export function basisPoints(percent: number): number {
  return Math.round(percent * 100);
}

/**
 * Splits a replica's cost: the host gets its ask; the tier's multiplier over it and the
 * platform fee (`feeBps` of the ask) go to fees. Rounded down, each part.
 */
export function charge(hostCost: number, tier: Tier, feeBps: number): Charge {
  const h = BigInt(hostCost);
  const multiplierPermille = BigInt(Math.round(TIERS[tier].multiplier * 1000));
  const tierExtra = (h * (multiplierPermille - 1000n)) / 1000n;
  const fee = (h * BigInt(feeBps)) / 10000n;
  const fees = Number(tierExtra + fee);
  return { host: hostCost, fees, total: hostCost + fees };
}

/** The most one replica of a job can be charged: its ceiling over the whole wall-time limit. */
export function maxReplicaCharge(
  pricing: JobPricing,
  limits: { readonly wallTimeMs: number; readonly memoryBytes: number },
  gpu: boolean,
  feeBps: number,
): number {
  const cost = askCost(pricing.ceiling, {
    us: limits.wallTimeMs * 1000,
    memoryBytes: limits.memoryBytes,
    gpu,
  });
  return charge(cost, pricing.tier, feeBps).total;
}

/**
 * What a submit reserves: every replica a task may ever have (`maxTotal`) at its most,
 * for every task of the job, or the budget when that is smaller.
 */
export function jobReserve(
  tasks: number,
  maxTotal: number,
  perReplica: number,
  budget: number | undefined,
): number {
  const most = BigInt(tasks) * BigInt(maxTotal) * BigInt(perReplica);
  if (budget !== undefined && BigInt(budget) < most) return budget;
  return Number(most);
}

/** The share of a stake one invalid result costs (rounded down). */
export function slashAmount(stake: number, slashBps: number): number {
  return Number((BigInt(Math.max(0, stake)) * BigInt(slashBps)) / 10000n);
}
