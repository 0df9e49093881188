import { CREDIT_HALF_LIFE_MS, CREDIT_MICROS } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { addGrant, decayedSum, recentPerDay, removeGrant } from './recent-average.js';

const DAY = 24 * 3600 * 1000;
const T0 = Date.UTC(2026, 11, 1);

describe('recent average credit', () => {
  it('halves a grant after one half-life and quarters it after two', () => {
    const key = addGrant(null, 1000, T0);
    expect(decayedSum(key, T0)).toBeCloseTo(1000, 6);
    expect(decayedSum(key, T0 + CREDIT_HALF_LIFE_MS)).toBeCloseTo(500, 6);
    expect(decayedSum(key, T0 + 2 * CREDIT_HALF_LIFE_MS)).toBeCloseTo(250, 6);
  });

  it('adds a grant to what is left of the earlier ones', () => {
    let key = addGrant(null, 1000, T0);
    key = addGrant(key, 300, T0 + CREDIT_HALF_LIFE_MS);
    expect(decayedSum(key, T0 + CREDIT_HALF_LIFE_MS)).toBeCloseTo(800, 6);
  });

  it('reads r credits a day for a host granted r credits every day, after a few half-lives', () => {
    let key: number | null = null;
    for (let day = 0; day < 70; day++) key = addGrant(key, 50 * CREDIT_MICROS, T0 + day * DAY);
    const rac = recentPerDay(key, T0 + 69.5 * DAY);
    expect(rac).toBeGreaterThan(48);
    expect(rac).toBeLessThan(52);
  });

  it('decays to almost nothing when the grants stop', () => {
    let key: number | null = null;
    for (let day = 0; day < 30; day++) key = addGrant(key, 50 * CREDIT_MICROS, T0 + day * DAY);
    const before = recentPerDay(key, T0 + 30 * DAY);
    expect(recentPerDay(key, T0 + 30 * DAY + 10 * CREDIT_HALF_LIFE_MS)).toBeCloseTo(
      before / 1024,
      3,
    );
  });

  it('orders keys as it orders recent averages, at any time', () => {
    const old = addGrant(null, 10_000, T0);
    const fresh = addGrant(null, 6000, T0 + CREDIT_HALF_LIFE_MS);
    expect(fresh as number).toBeGreaterThan(old as number);
    const at = T0 + 3 * CREDIT_HALF_LIFE_MS;
    expect(recentPerDay(fresh, at)).toBeGreaterThan(recentPerDay(old, at));
  });

  it('leaves a key without credit unchanged by a zero grant', () => {
    expect(addGrant(null, 0, T0)).toBeNull();
    expect(recentPerDay(null, T0)).toBe(0);
  });

  it('takes back what is left of a revoked grant, and nothing of the others', () => {
    let key = addGrant(null, 1000, T0);
    key = addGrant(key, 400, T0 + CREDIT_HALF_LIFE_MS);
    // A half-life after it was granted, the first grant counts 500 of the 900.
    const after = removeGrant(key, 1000, T0, T0 + CREDIT_HALF_LIFE_MS);
    expect(decayedSum(after, T0 + CREDIT_HALF_LIFE_MS)).toBeCloseTo(400, 6);
    expect(removeGrant(addGrant(null, 1000, T0), 1000, T0, T0 + DAY)).toBeNull();
  });
});
