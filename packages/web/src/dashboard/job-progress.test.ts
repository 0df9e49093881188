import type { JobView } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { settledPercent } from './job-progress.js';

function job(state: JobView['state'], progress: Partial<JobView['progress']>): JobView {
  const p = {
    total: 0,
    pending: 0,
    valid: 0,
    failed: 0,
    noConsensus: 0,
    cancelled: 0,
    ...progress,
  };
  return { state, progress: p } as unknown as JobView;
}

describe('settledPercent', () => {
  it('counts every settled outcome and rounds down, so 100 means all settled', () => {
    expect(settledPercent(job('running', { total: 3, valid: 1, failed: 1 }))).toBe(66);
    expect(settledPercent(job('running', { total: 200, valid: 199 }))).toBe(99);
    expect(
      settledPercent(job('completed', { total: 4, valid: 2, noConsensus: 1, cancelled: 1 })),
    ).toBe(100);
  });

  it('does not count running work as done', () => {
    expect(settledPercent(job('running', { total: 2, running: 1.5 }))).toBe(0);
  });

  it('shows a job without tasks as 0 % while it runs and 100 % once finished', () => {
    expect(settledPercent(job('running', { total: 0 }))).toBe(0);
    expect(settledPercent(job('cancelled', { total: 0 }))).toBe(100);
  });
});
