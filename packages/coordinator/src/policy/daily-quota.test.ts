import { describe, expect, it } from 'vitest';
import { DEFAULT_DAILY_QUOTA, nextQuota, quotaLeft, utcDay } from './daily-quota.js';

const p = { initial: 100, max: 1000, min: 1 };

describe('daily quota', () => {
  it('halves with each failure, down to the minimum', () => {
    expect(nextQuota(100, 0, 1, p)).toBe(50);
    expect(nextQuota(100, 0, 3, p)).toBe(12);
    expect(nextQuota(100, 0, 50, p)).toBe(1);
    expect(nextQuota(1, 0, 1, p)).toBe(1);
  });

  it('doubles with each accepted result, up to the maximum', () => {
    expect(nextQuota(1, 1, 0, p)).toBe(2);
    expect(nextQuota(1, 5, 0, p)).toBe(32);
    expect(nextQuota(600, 1, 0, p)).toBe(1000);
    expect(nextQuota(1, 5000, 0, p)).toBe(1000);
  });

  it('takes a transaction’s failures before its accepted results', () => {
    expect(nextQuota(1000, 1, 10, p)).toBe(2);
    expect(nextQuota(1000, 10, 10, p)).toBe(1000);
  });

  it('brings a host that only fails from the default maximum to the minimum in a few dozen failures', () => {
    const d = DEFAULT_DAILY_QUOTA;
    expect(nextQuota(d.max, 0, 24, d)).toBe(d.min);
    expect(nextQuota(d.min, 24, 0, d)).toBe(d.max);
  });

  it('counts what a host was sent today only, and resets at the next UTC day', () => {
    const now = Date.UTC(2026, 11, 3, 12);
    expect(quotaLeft(100, 30, utcDay(now), now)).toBe(70);
    expect(quotaLeft(100, 130, utcDay(now), now)).toBe(0);
    expect(quotaLeft(100, 130, utcDay(now), now + 12 * 3_600_000)).toBe(100);
    expect(utcDay(Date.UTC(2026, 11, 3, 23, 59)) + 1).toBe(utcDay(Date.UTC(2026, 11, 4, 0, 1)));
  });
});
