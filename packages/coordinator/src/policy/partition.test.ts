import { describe, expect, it } from 'vitest';
import { owns, partitionOf, samePartition, WHOLE } from './partition.js';

describe('replica partition between coordinators', () => {
  it('gives every live coordinator one slot, the same whoever reads the list', () => {
    const live = ['c', 'a', 'b'];
    expect(partitionOf('a', live)).toEqual({ slot: 0, count: 3 });
    expect(partitionOf('b', ['b', 'c', 'a'])).toEqual({ slot: 1, count: 3 });
    expect(partitionOf('c', live)).toEqual({ slot: 2, count: 3 });
  });

  it('counts itself when its own presence is not listed yet, and a duplicate once', () => {
    expect(partitionOf('b', ['a'])).toEqual({ slot: 1, count: 2 });
    expect(partitionOf('a', ['a', 'a'])).toEqual(WHOLE);
    expect(partitionOf('a', [])).toEqual(WHOLE);
  });

  it('splits replica ids so that exactly one coordinator owns each', () => {
    const parts = ['a', 'b', 'c'].map((h) => partitionOf(h, ['a', 'b', 'c']));
    for (let id = 1; id <= 30; id++) {
      expect(parts.filter((p) => owns(p, id))).toHaveLength(1);
    }
    expect(owns(WHOLE, 7)).toBe(true);
    expect(samePartition(parts[0] ?? WHOLE, { slot: 0, count: 3 })).toBe(true);
    expect(samePartition(parts[0] ?? WHOLE, WHOLE)).toBe(false);
  });
});
