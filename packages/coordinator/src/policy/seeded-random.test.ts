import { describe, expect, it } from 'vitest';
import { seededRandom } from './seeded-random.js';

describe('seededRandom', () => {
  it('replays the same stream for the same seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 100 }, a);
    expect(Array.from({ length: 100 }, b)).toEqual(xs);
  });

  it('gives unrelated streams for neighbouring seeds', () => {
    const a = seededRandom(1);
    const b = seededRandom(2);
    const same = Array.from({ length: 1000 }, () => a() === b()).filter(Boolean).length;
    expect(same).toBe(0);
  });

  it('stays in [0, 1) with a mean near one half and even deciles', () => {
    const r = seededRandom(7);
    const n = 100_000;
    const deciles = new Array(10).fill(0);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const x = r();
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
      deciles[Math.floor(x * 10)]++;
    }
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.01);
    for (const d of deciles) expect(Math.abs(d - n / 10)).toBeLessThan(n / 100);
  });
});
