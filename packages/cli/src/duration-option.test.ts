import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { msOption } from './duration-option.js';

describe('time limit options', () => {
  const deadline = msOption(1000);

  it('reads durations with a unit, and a bare number as milliseconds as before', () => {
    expect(deadline('10m')).toBe(600_000);
    expect(deadline('90s')).toBe(90_000);
    expect(deadline('1500ms')).toBe(1500);
    expect(deadline('60000')).toBe(60_000);
  });

  it('refuses what is below the minimum or not a duration, saying what it expects', () => {
    expect(() => deadline('500')).toThrow(InvalidArgumentError);
    expect(() => deadline('soon')).toThrow(/such as 10m, 30s or 1500ms/);
    expect(() => deadline('-5s')).toThrow(/at least 1000 ms/);
  });
});
