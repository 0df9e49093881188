import { describe, expect, it } from 'vitest';
import {
  askCost,
  basisPoints,
  billedUs,
  charge,
  jobReserve,
  maxReplicaCharge,
  paidAsks,
  REFERENCE_SPEED,
  slashAmount,
} from './replica-cost.js';

const facts = { durationMs: 2000, hostSpeed: null, taskOps: null, wallTimeMs: 60_000 };

describe('billedUs', () => {
  it('counts a host of unknown speed at the reference speed', () => {
    expect(billedUs(facts)).toBe(2_000_000);
  });
  it('scales wall time by the host speed, so a fast host earns the same per task', () => {
    const fast = billedUs({ ...facts, durationMs: 1000, hostSpeed: 2 * REFERENCE_SPEED });
    const slow = billedUs({ ...facts, durationMs: 2000, hostSpeed: REFERENCE_SPEED });
    expect(fast).toBe(slow);
  });
  it('believes a claim only up to twice the task measured size', () => {
    const ops = REFERENCE_SPEED; // one normalized second
    expect(billedUs({ ...facts, durationMs: 50_000, taskOps: ops })).toBe(2_000_000);
  });
  it('never bills past the wall-time limit, whatever the claim or speed', () => {
    expect(billedUs({ ...facts, durationMs: 1e9, hostSpeed: 1e12 })).toBe(60_000_000);
    // A run of a fraction of a millisecond is not free.
    expect(billedUs({ ...facts, durationMs: 0.25 })).toBe(250);
    expect(billedUs({ ...facts, durationMs: -5 })).toBe(0);
  });
});

describe('askCost and charge', () => {
  const asks = { cpuSecond: 1000, memGiBSecond: 500, gpuSecond: 7 };
  it('adds CPU, memory and (only for GPU jobs) GPU seconds, rounding down', () => {
    const u = { us: 1_500_000, memoryBytes: 2 * 1024 ** 3, gpu: false };
    expect(askCost(asks, u)).toBe(1500 + 1500);
    expect(askCost(asks, { ...u, gpu: true })).toBe(1500 + 1500 + 10);
  });
  it('stays exact past 2^53 in intermediate products', () => {
    const big = { cpuSecond: 1e14, memGiBSecond: 0, gpuSecond: 0 };
    expect(askCost(big, { us: 86_400_000_000, memoryBytes: 0, gpu: false })).toBe(8.64e18);
  });
  it('gives the host its ask and the tier extra and fee to the platform', () => {
    expect(charge(10_000, 'standard', basisPoints(5))).toEqual({
      host: 10_000,
      fees: 1000 + 500,
      total: 11_500,
    });
    expect(charge(10_000, 'economy', 0)).toEqual({ host: 10_000, fees: 0, total: 10_000 });
    expect(charge(3, 'priority', basisPoints(5)).total).toBe(3 + 1 + 0);
  });
  it('pays a host asking more than the ceiling at the ceiling, per unit', () => {
    expect(paidAsks(asks, { cpuSecond: 600, memGiBSecond: 900, gpuSecond: 0 })).toEqual({
      cpuSecond: 600,
      memGiBSecond: 500,
      gpuSecond: 0,
    });
  });
});

describe('jobReserve', () => {
  const pricing = {
    ceiling: { cpuSecond: 100, memGiBSecond: 0, gpuSecond: 0 },
    tier: 'economy' as const,
  };
  it('reserves tasks x maxTotal x the most one replica can cost', () => {
    const per = maxReplicaCharge(pricing, { wallTimeMs: 10_000, memoryBytes: 1 << 20 }, false, 0);
    expect(per).toBe(1000);
    expect(jobReserve(7, 4, per, undefined)).toBe(28_000);
  });
  it('reserves the budget when it is smaller, never more than the maximum', () => {
    expect(jobReserve(7, 4, 1000, 5000)).toBe(5000);
    expect(jobReserve(7, 4, 1000, 1e9)).toBe(28_000);
  });
});

describe('slashAmount', () => {
  it('takes the configured share of the stake, rounded down', () => {
    expect(slashAmount(1_000_001, basisPoints(10))).toBe(100_000);
    expect(slashAmount(0, 5000)).toBe(0);
  });
});
