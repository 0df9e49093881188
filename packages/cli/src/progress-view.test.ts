import { describe, expect, it } from 'vitest';
import { RateMeter, settled } from './progress-view.js';

describe('progress', () => {
  it('counts every task that is no longer pending as settled', () => {
    expect(
      settled({ total: 10, pending: 3, valid: 4, failed: 1, noConsensus: 1, cancelled: 1 }),
    ).toBe(7);
  });

  it('derives the rate and ETA from samples over time', () => {
    const m = new RateMeter();
    m.sample(0, 100, 0);
    const { rate, etaMs } = m.sample(20, 100, 2000);
    expect(rate).toBe(10);
    expect(etaMs).toBe(8000);
  });

  it('reports an unknown ETA before anything settles', () => {
    const m = new RateMeter();
    expect(m.sample(0, 5, 0).etaMs).toBe(Number.POSITIVE_INFINITY);
  });
});
