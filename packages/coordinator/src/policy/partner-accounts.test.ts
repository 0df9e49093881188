import { MAX_TRUST_PARTNERS } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { NO_PARTNERS, withPartners } from './partner-accounts.js';

describe('partner accounts', () => {
  it('adds each confirming account once', () => {
    expect(withPartners(NO_PARTNERS, [7, 7, 8])).toEqual([7, 8]);
    expect(withPartners([7, 8], [8, 9])).toEqual([7, 8, 9]);
  });

  it('keeps at most MAX_TRUST_PARTNERS accounts', () => {
    const many = Array.from({ length: 3 * MAX_TRUST_PARTNERS }, (_, i) => i);
    expect(withPartners(NO_PARTNERS, many)).toHaveLength(MAX_TRUST_PARTNERS);
  });

  it('returns the kept list itself when no account is new, so a record allocates nothing', () => {
    const kept = [1, 2, 3];
    expect(withPartners(kept, [2, 3])).toBe(kept);
    expect(withPartners(kept, [])).toBe(kept);
  });
});
