import { describe, expect, it } from 'vitest';
import { creditText, formatCredit, leaderboardLines } from './credit-format.js';

describe('credit formatting', () => {
  it('shows micro-credits as credits with two decimals', () => {
    expect(formatCredit(12_345_678)).toBe('12.35');
    expect(creditText({ totalMicro: 2_500_000, recentPerDay: 0.125 })).toBe(
      '2.50 credits, 0.13 a day recently',
    );
  });

  it('ranks entries in a table, hosts with their account', () => {
    const lines = leaderboardLines({
      by: 'host',
      order: 'total',
      at: 0,
      entries: [
        {
          rank: 1,
          id: 7,
          name: 'pi',
          account: 'ann',
          credit: { totalMicro: 3e6, recentPerDay: 1 },
        },
      ],
    });
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^\s+1\s+7\s+3\.00\s+1\.00\s+pi \(ann\)$/);
  });
});
