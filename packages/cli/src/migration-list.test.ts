import { describe, expect, it } from 'vitest';
import { appliedText, numberRuns } from './migration-list.js';

describe('applied migrations as people read them', () => {
  it('joins runs of consecutive numbers, in number order', () => {
    expect(numberRuns([3, 1, 2, 5, 7, 8, 9, 12, 13])).toBe('1–3, 5, 7–9, 12, 13');
    expect(numberRuns([4])).toBe('4');
    expect(numberRuns([])).toBe('');
  });

  it('counts them and names the numbers no migration has, not those applied before', () => {
    const versions = [1, 2, 3, 5, 6, 9, 10];
    expect(appliedText([1, 2, 3, 5, 6, 9, 10], versions)).toBe(
      'applied 7 migrations: 1–3, 5, 6, 9, 10 (no migration has the numbers 4, 7, 8)',
    );
    // A store that had 1–6: only the gap inside what ran now is explained.
    expect(appliedText([9, 10], versions)).toBe('applied 2 migrations: 9, 10');
    expect(appliedText([10], versions)).toBe('applied migration 10');
    expect(appliedText([], versions)).toBe('the schema is up to date');
  });
});
