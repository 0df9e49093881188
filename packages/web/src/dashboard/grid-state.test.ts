import type { GridSnapshot, JobView } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { GridState, RATE_POINTS } from './grid-state.js';

function snapshot(at: number, validated: number): GridSnapshot {
  return {
    at,
    hostsOnline: [],
    tasks: { pending: 0, valid: validated, failed: 0, noConsensus: 0, cancelled: 0 },
    replicas: { unsent: 0, inProgress: 0 },
    validated,
    failureCodes: [],
    failures: [],
  };
}

function job(id: number, valid: number): JobView {
  return { id, progress: { valid } } as unknown as JobView;
}

describe('GridState', () => {
  it('plots validated tasks per second between consecutive snapshots, never below zero', () => {
    const s = new GridState();
    s.apply({ type: 'snapshot', snapshot: snapshot(10_000, 100) });
    expect(s.rates).toEqual([]);
    s.apply({ type: 'snapshot', snapshot: snapshot(12_000, 300) });
    s.apply({ type: 'snapshot', snapshot: snapshot(13_000, 250) });
    expect(s.rates).toEqual([
      { t: 12, rate: 100 },
      { t: 13, rate: 0 },
    ]);
  });

  it('keeps a bounded history of rate points', () => {
    const s = new GridState();
    for (let i = 0; i <= RATE_POINTS + 10; i++) {
      s.apply({ type: 'snapshot', snapshot: snapshot(i * 1000, i) });
    }
    expect(s.rates).toHaveLength(RATE_POINTS);
    expect(s.rates.at(-1)).toEqual({ t: RATE_POINTS + 10, rate: 1 });
  });

  it('replaces its jobs on a full list and updates them from changes, newest first', () => {
    const s = new GridState();
    let calls = 0;
    s.subscribe(() => calls++);
    s.apply({ type: 'jobs', full: true, jobs: [job(1, 0), job(2, 0)] });
    s.apply({ type: 'jobs', full: false, jobs: [job(2, 5), job(3, 0)] });
    expect(s.jobList().map((j) => [j.id, j.progress.valid])).toEqual([
      [3, 0],
      [2, 5],
      [1, 0],
    ]);
    s.apply({ type: 'jobs', full: true, jobs: [job(3, 1)] });
    expect(s.jobList().map((j) => j.id)).toEqual([3]);
    expect(calls).toBe(3);
  });
});
