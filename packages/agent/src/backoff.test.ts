import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay } from './backoff.js';

const policy = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 1 };

describe('backoffDelay', () => {
  it('doubles the ceiling per attempt and stops at maxMs', () => {
    const top = () => 0; // random() = 0 → the delay is the full ceiling
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(policy, a, top))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it('draws the delay from [ceiling·(1−jitter), ceiling]', () => {
    const half = { ...policy, jitter: 0.5 };
    expect(backoffDelay(half, 2, () => 0)).toBe(400);
    expect(backoffDelay(half, 2, () => 0.999_999)).toBe(200);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(half, 2);
      expect(d).toBeGreaterThanOrEqual(200);
      expect(d).toBeLessThanOrEqual(400);
    }
  });

  it('never waits at all with full jitter and a random of almost 1', () => {
    expect(backoffDelay(policy, 0, () => 0.999_999)).toBe(0);
  });

  it('treats negative and fractional attempts as whole attempts from 0', () => {
    expect(backoffDelay(policy, -3, () => 0)).toBe(100);
    expect(backoffDelay(policy, 1.7, () => 0)).toBe(200);
  });

  it('does not overflow to Infinity or NaN after very many failures', () => {
    expect(backoffDelay(policy, 10_000, () => 0)).toBe(1000);
  });
});

describe('Backoff', () => {
  it('grows with consecutive failures and starts over after reset', () => {
    const b = new Backoff(policy, () => 0);
    expect([b.next(), b.next(), b.next()]).toEqual([100, 200, 400]);
    expect(b.failures).toBe(3);
    b.reset();
    expect(b.failures).toBe(0);
    expect(b.next()).toBe(100);
  });
});
