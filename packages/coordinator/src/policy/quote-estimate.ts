/**
 * @module
 * A quote's figures (docs/incentives.md, "Quotes"): from a job's policy, its task count
 * and size, and the hosts that could run it now (their asks, speeds, free slots), what
 * the job would cost (min, expected, max) and when it would be done. Costs use the same
 * integer rules as payment (replica-cost.ts: the host's ask over normalized time, the
 * tier's multiplier and the platform fee on top), so a quote's `max` is exactly what a
 * submit reserves. Pure.
 */

import type { Asks, JobPolicy, QuoteSizeSource } from '@anygrid/protocol';
import type { JobSize } from './deadline-fit.js';
import { type Bid, compareBids, type ReplicaShape, unitCost } from './price-fit.js';
import {
  askCost,
  charge,
  jobReserve,
  maxReplicaCharge,
  paidAsks,
  REFERENCE_SPEED,
} from './replica-cost.js';

/** An eligible host as a quote sees it. */
export interface QuotedHost {
  readonly asks: Asks;
  readonly reputation: number;
  /** Its account's stake, micro-credits: orders equally cheap and reputable hosts. */
  readonly stake: number;
  /** Benchmark operations per second; null: counted at the reference speed. */
  readonly speed: number | null;
  readonly slots: number;
}

export interface QuoteInput {
  readonly policy: JobPolicy;
  readonly tasks: number;
  readonly size: JobSize;
  readonly shape: ReplicaShape;
  /** Eligible hosts connected now (requirements, deadline and price ceiling met). */
  readonly hosts: readonly QuotedHost[];
  /** Replicas queued ahead of the job (equal or higher priority). */
  readonly queuedAhead: number;
  /** The platform fee, in basis points of the hosts' asks. */
  readonly feeBps: number;
}

export interface QuoteFigures {
  readonly replicasPerTask: { min: number; expected: number; max: number };
  readonly taskSeconds: number;
  readonly sizeSource: QuoteSizeSource;
  readonly cost: { min: number | null; expected: number | null; max: number };
  readonly completionSeconds: number | null;
}

/** Replicas per task: the fewest that can settle one, those the policy creates, the most it may have. */
export function replicasPerTask(policy: JobPolicy): QuoteFigures['replicasPerTask'] {
  const mode = policy.validation.mode;
  if (mode === 'replicate') {
    return { min: policy.quorum, expected: policy.redundancy, max: policy.maxTotal };
  }
  // adaptive, none and spot-check start a task with one replica; adaptive adds checks
  // for a share of tasks only, which a per-task figure rounds away.
  return { min: 1, expected: 1, max: policy.maxTotal };
}

/** A task's size in operations: the estimate given, else the measured mean, else none. */
function taskOps(size: JobSize): { ops: number | undefined; source: QuoteSizeSource } {
  if (size.estimatedOps !== undefined) return { ops: size.estimatedOps, source: 'estimate' };
  if (size.measuredOps !== undefined) return { ops: size.measuredOps, source: 'measured' };
  if (size.meanMs !== undefined) {
    return { ops: (size.meanMs / 1000) * REFERENCE_SPEED, source: 'measured' };
  }
  return { ops: undefined, source: 'limit' };
}

/** What the requester pays for one replica on a host asking `asks` (paid at most the ceiling). */
function replicaCharge(input: QuoteInput, asks: Asks, ms: number): number {
  const pricing = input.policy.pricing;
  if (pricing === undefined) return 0;
  const host = askCost(paidAsks(asks, pricing.ceiling), {
    us: ms * 1000,
    memoryBytes: input.policy.limits.memoryBytes,
    gpu: input.shape.gpu,
  });
  return charge(host, pricing.tier, input.feeBps).total;
}

/** The quote's figures. */
export function estimateQuote(input: QuoteInput): QuoteFigures {
  const { policy, tasks } = input;
  const replicas = replicasPerTask(policy);
  const { ops, source } = taskOps(input.size);
  const wallMs = policy.limits.wallTimeMs;
  // Normalized ms per replica; an unknown size counts as the wall-time limit (the most billed).
  const taskMs = Math.min(
    wallMs,
    ops === undefined ? wallMs : Math.ceil((ops / REFERENCE_SPEED) * 1000),
  );
  const pricing = policy.pricing;
  const max =
    pricing === undefined
      ? 0
      : jobReserve(
          tasks,
          policy.maxTotal,
          maxReplicaCharge(pricing, policy.limits, input.shape.gpu, input.feeBps),
          pricing.budget,
        );
  const bids = input.hosts
    .map((h) => {
      const bid: Bid = {
        cost: unitCost(h.asks, input.shape),
        reputation: h.reputation,
        stake: h.stake,
      };
      return { h, bid };
    })
    .sort((a, b) => compareBids(a.bid, b.bid));
  const cheapest = bids[0];
  if (cheapest === undefined) {
    return {
      replicasPerTask: replicas,
      taskSeconds: taskMs / 1000,
      sizeSource: source,
      cost: { min: null, expected: null, max },
      completionSeconds: null,
    };
  }
  const min = Math.min(
    max || Number.MAX_SAFE_INTEGER,
    tasks * replicas.min * replicaCharge(input, cheapest.h.asks, taskMs),
  );
  // The reverse auction fills the cheapest hosts' slots first: the expected price per
  // replica is the slot-weighted mean over the cheapest hosts whose slots hold the work.
  const wanted = tasks * replicas.expected;
  let filled = 0;
  let sum = 0;
  for (const { h } of bids) {
    if (filled >= wanted) break;
    const take = Math.min(Math.max(1, h.slots), wanted - filled);
    sum += take * replicaCharge(input, h.asks, taskMs);
    filled += take;
  }
  const perReplica = sum / filled;
  const expected = Math.min(
    max || Number.MAX_SAFE_INTEGER,
    Math.max(min, Math.round(perReplica * wanted)),
  );
  return {
    replicasPerTask: replicas,
    taskSeconds: taskMs / 1000,
    sizeSource: source,
    cost: pricing === undefined ? { min: 0, expected: 0, max: 0 } : { min, expected, max },
    completionSeconds: completion(input, taskMs, wanted),
  };
}

/**
 * Seconds until the job's replicas, after those queued ahead, have run on the eligible
 * hosts: work over their throughput (slots over a replica's time at each host's speed),
 * and never less than one replica on the fastest host.
 */
function completion(input: QuoteInput, taskMs: number, replicas: number): number {
  let perSecond = 0;
  let fastest = Number.POSITIVE_INFINITY;
  for (const h of input.hosts) {
    const seconds = (taskMs / 1000) * (REFERENCE_SPEED / (h.speed ?? REFERENCE_SPEED));
    perSecond += Math.max(1, h.slots) / Math.max(seconds, 0.001);
    fastest = Math.min(fastest, seconds);
  }
  const seconds = (input.queuedAhead + replicas) / perSecond;
  return Math.round(Math.max(seconds, fastest) * 1000) / 1000;
}
