import { describe, expect, it } from 'vitest';
import { creditsOption, formatCredits } from './credit-amount.js';

describe('credit amounts', () => {
  it('reads credits with up to six decimals as exact micro-credits', () => {
    expect(creditsOption('10')).toBe(10_000_000);
    expect(creditsOption('0.0025')).toBe(2500);
    expect(creditsOption('1.000001')).toBe(1_000_001);
    expect(() => creditsOption('-1')).toThrow(/credits/);
    expect(() => creditsOption('0.0000001')).toThrow(/six decimals/);
  });
  it('prints micro-credits as credits with six decimals', () => {
    expect(formatCredits(1_500_000)).toBe('1.500000');
    expect(formatCredits(-2300)).toBe('-0.002300');
  });
});
