import { describe, expect, it } from 'vitest';
import { foldTurnaround, onTimeRate, TURNAROUND_WEIGHT } from './timeliness.js';

describe('foldTurnaround', () => {
  it('starts at the first batch mean and leaves the mean as it is without reports', () => {
    expect(foldTurnaround(null, 900, 3)).toBe(300);
    expect(foldTurnaround(250, 0, 0)).toBe(250);
    expect(foldTurnaround(null, 0, 0)).toBeNull();
  });

  it('moves a tenth of the way to each new report', () => {
    expect(foldTurnaround(1000, 2000, 1)).toBeCloseTo(1000 + TURNAROUND_WEIGHT * 1000, 9);
  });

  it('folds a batch like the same reports one at a time when they are equal', () => {
    let oneByOne: number | null = 1000;
    for (let i = 0; i < 5; i++) oneByOne = foldTurnaround(oneByOne, 200, 1);
    expect(foldTurnaround(1000, 5 * 200, 5)).toBeCloseTo(oneByOne as number, 9);
  });

  it('follows a host that became slow: after 50 slow reports it is near the new figure', () => {
    let mean: number | null = foldTurnaround(null, 100, 1);
    for (let i = 0; i < 50; i++) mean = foldTurnaround(mean, 5000, 1);
    expect(mean).toBeGreaterThan(4900);
  });
});

describe('onTimeRate', () => {
  it('is reported-in-time over finished, and null before anything finished', () => {
    expect(onTimeRate(0, 0)).toBeNull();
    expect(onTimeRate(3, 0)).toBe(1);
    expect(onTimeRate(3, 1)).toBe(0.75);
    expect(onTimeRate(0, 2)).toBe(0);
  });
});
