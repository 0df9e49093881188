import { describe, expect, it } from 'vitest';
import { resolvePolicy } from './job-policy.js';
import { estimateQuote, type QuoteInput } from './quote-estimate.js';
import { charge, maxReplicaCharge } from './replica-cost.js';

const asks = (cpuSecond: number) => ({ cpuSecond, memGiBSecond: 0, gpuSecond: 0 });
const shape = { memGiB: 0.25, gpu: false };

function input(over: Partial<QuoteInput> = {}): QuoteInput {
  return {
    policy: resolvePolicy({
      redundancy: 2,
      limits: { wallTimeMs: 60_000 },
      pricing: { ceiling: asks(10), tier: 'standard' },
    }),
    tasks: 100,
    size: { estimatedOps: 2e8 }, // 2 normalized seconds a task at the reference speed (1e8)
    shape,
    hosts: [
      { asks: asks(4), reputation: 0.5, stake: 0, speed: 1e8, slots: 1 },
      { asks: asks(2), reputation: 0.5, stake: 0, speed: 2e8, slots: 2 },
    ],
    queuedAhead: 0,
    feeBps: 500,
    ...over,
  };
}

describe('estimateQuote', () => {
  it('prices min on the cheapest host, expected over the cheapest slots, max as a submit reserves', () => {
    const q = estimateQuote(input());
    // 2 s at 2 µ/s = 4 µ a replica to the host; standard tier ×1.1 and a 5 % fee on top.
    const cheap = charge(4, 'standard', 500).total;
    expect(q.replicasPerTask).toEqual({ min: 2, expected: 2, max: 6 });
    expect(q.cost.min).toBe(100 * 2 * cheap);
    expect(q.taskSeconds).toBe(2);
    expect(q.sizeSource).toBe('estimate');
    // 200 replicas: 2 slots at 2 µ/s, 1 at 4 µ/s, weighted.
    expect(q.cost.expected).toBeGreaterThan(q.cost.min as number);
    const p = input().policy;
    expect(q.cost.max).toBe(100 * 6 * maxReplicaCharge(p.pricing!, p.limits, false, 500));
    // 200 replicas of 2 s: 1 slot at 2 s and 2 slots at 1 s, 2.5 replicas a second.
    expect(q.completionSeconds).toBe(80);
  });

  it('counts the queue ahead and falls back to the wall-time limit for an unknown size', () => {
    const q = estimateQuote(input({ size: {}, queuedAhead: 50 }));
    expect(q.sizeSource).toBe('limit');
    expect(q.taskSeconds).toBe(60);
    expect(q.completionSeconds).toBeGreaterThan(
      estimateQuote(input({ size: {} })).completionSeconds as number,
    );
  });

  it('quotes a free job at zero, and nothing but the maximum with no eligible host', () => {
    const free = estimateQuote(input({ policy: resolvePolicy({}) }));
    expect(free.cost).toEqual({ min: 0, expected: 0, max: 0 });
    const none = estimateQuote(input({ hosts: [] }));
    expect(none.cost.min).toBeNull();
    expect(none.completionSeconds).toBeNull();
    expect(none.cost.max).toBeGreaterThan(0);
  });

  it('never quotes more than the budget', () => {
    const policy = resolvePolicy({
      limits: { wallTimeMs: 60_000 },
      pricing: { ceiling: asks(10), tier: 'economy', budget: 150 },
    });
    const q = estimateQuote(input({ policy }));
    expect(q.cost.max).toBe(150);
    expect(q.cost.expected).toBeLessThanOrEqual(150);
  });
});
