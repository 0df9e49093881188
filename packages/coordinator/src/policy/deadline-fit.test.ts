import { describe, expect, it } from 'vitest';
import {
  deadlineCap,
  estimatedFinishMs,
  measuredSize,
  meetsDeadline,
  runtimeOnHost,
} from './deadline-fit.js';

describe('runtimeOnHost', () => {
  it('divides the requester’s estimate by the host’s speed', () => {
    expect(runtimeOnHost({ estimatedOps: 4e9 }, 2e9)).toBe(2000);
  });

  it('prefers the requester’s estimate to the measured size', () => {
    expect(runtimeOnHost({ estimatedOps: 4e9, measuredOps: 1e9 }, 1e9)).toBe(4000);
    expect(runtimeOnHost({ measuredOps: 1e9, meanMs: 50 }, 1e9)).toBe(1000);
  });

  it('gives a host of unknown speed the job’s measured mean, or nothing', () => {
    expect(runtimeOnHost({ estimatedOps: 4e9, meanMs: 300 }, null)).toBe(300);
    expect(runtimeOnHost({ estimatedOps: 4e9 }, null)).toBeUndefined();
  });
});

describe('measuredSize', () => {
  it('averages operations over reports from hosts of known speed only', () => {
    expect(measuredSize(3000, 3, 2e9, 2)).toEqual({ measuredOps: 1e9, meanMs: 1000 });
    expect(measuredSize(0, 0, 0, 0)).toEqual({});
  });
});

describe('estimated finish and the deadline', () => {
  it('adds transfer, the queue spread over slots, and the task', () => {
    expect(estimatedFinishMs({ runtimeMs: 1000, queued: 4, slots: 2, transferMs: 500 })).toBe(3500);
    expect(meetsDeadline({ runtimeMs: 1000, queued: 4, slots: 2, transferMs: 500 }, 3500)).toBe(
      true,
    );
    expect(meetsDeadline({ runtimeMs: 1000, queued: 5, slots: 2, transferMs: 500 }, 3500)).toBe(
      false,
    );
  });

  it('caps what a host holds so that the last replica still finishes in time', () => {
    // 1 s tasks, 2 slots, 3.5 s deadline, 0.5 s transfer: holding 5, the 5th ends at 3.5 s.
    expect(deadlineCap(3500, 1000, 2, 500)).toBe(5);
    expect(meetsDeadline({ runtimeMs: 1000, queued: 4, slots: 2, transferMs: 500 }, 3500)).toBe(
      true,
    );
    expect(deadlineCap(900, 1000, 8)).toBe(0);
    expect(deadlineCap(900, 0, 8)).toBe(Number.POSITIVE_INFINITY);
  });
});
