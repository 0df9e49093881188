import { describe, expect, it } from 'vitest';
import { MemoryPool } from './memory-pool.js';

describe('MemoryPool', () => {
  it('hands back a returned memory zeroed, and a fresh one when none is spare', () => {
    const pool = new MemoryPool();
    const limits = { initial: 1, maximum: 4 };
    const first = pool.take(limits);
    new Uint8Array(first.buffer).fill(9);
    pool.give(limits, first);
    const again = pool.take(limits);
    expect(again).toBe(first);
    expect(new Uint8Array(again.buffer).every((b) => b === 0)).toBe(true);
    expect(pool.take(limits)).not.toBe(first);
  });

  it('drops a memory that grew, and keeps within its byte budget', () => {
    const pool = new MemoryPool();
    const small = { initial: 1, maximum: 4 };
    const grown = pool.take(small);
    grown.grow(1);
    pool.give(small, grown);
    expect(pool.take(small)).not.toBe(grown);
    const big = { initial: 512, maximum: 512 }; // 32 MiB: two fill the 64 MiB budget
    const [a, b] = [pool.take(big), pool.take(big)];
    pool.give(big, a);
    pool.give(big, b);
    const other = { initial: 2, maximum: 2 };
    pool.give(other, pool.take(other)); // over budget: the oldest shape goes
    expect([pool.take(big), pool.take(big)]).not.toContain(a);
  });
});
