import { describe, expect, it } from 'vitest';
import { SeededRandom } from './seeded-random.js';

const bytes = (seed: number, n: number) => {
  const out = new Uint8Array(n);
  new SeededRandom(seed).fill(out);
  return out;
};

describe('SeededRandom', () => {
  it('repeats for the same seed and differs for another', () => {
    expect(bytes(1, 37)).toEqual(bytes(1, 37));
    expect(bytes(1, 37)).not.toEqual(bytes(2, 37));
  });

  it('uses the high half of a large seed', () => {
    expect(bytes(2 ** 32 + 5, 16)).not.toEqual(bytes(5, 16));
  });

  it('produces roughly uniform bytes', () => {
    const sample = bytes(42, 256 * 400);
    const counts = new Array(256).fill(0);
    for (const b of sample) counts[b]++;
    expect(Math.min(...counts)).toBeGreaterThan(300);
    expect(Math.max(...counts)).toBeLessThan(500);
  });
});
