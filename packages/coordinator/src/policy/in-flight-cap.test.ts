import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BUFFER_SECONDS,
  inFlightCap,
  MAX_IN_FLIGHT,
  runtimeEstimate,
  UNKNOWN_RUNTIME_PER_SLOT,
} from './in-flight-cap.js';

describe('inFlightCap', () => {
  it('allows a small count per slot before any replica of the job was reported', () => {
    expect(inFlightCap({ slots: 3 })).toBe(3 * UNKNOWN_RUNTIME_PER_SLOT);
    // A host that asks for a long buffer (to work through an outage) gets a second's
    // worth per task of it, within the coordinator's bound.
    expect(inFlightCap({ slots: 1, bufferSeconds: 8 })).toBe(8);
    expect(inFlightCap({ slots: 2, bufferSeconds: 86_400, maxBufferSeconds: 30 })).toBe(60);
  });

  it('holds slots × buffer seconds of work at the job’s runtime', () => {
    // One slot, 100 ms tasks, a 2-second buffer: 20 replicas, not the 72–83 measured.
    expect(inFlightCap({ slots: 1, bufferSeconds: 2, estimateMs: 100 })).toBe(20);
    expect(inFlightCap({ slots: 4, bufferSeconds: 2, estimateMs: 100 })).toBe(80);
    expect(inFlightCap({ slots: 1, estimateMs: 100 })).toBe(DEFAULT_BUFFER_SECONDS * 10);
  });

  it('lets millisecond tasks travel thousands at once, up to a hard bound', () => {
    expect(inFlightCap({ slots: 2, bufferSeconds: 2, estimateMs: 1 })).toBe(4000);
    expect(inFlightCap({ slots: 64, bufferSeconds: 600, estimateMs: 0 })).toBe(MAX_IN_FLIGHT);
  });

  it('bounds the buffer a host asks for by the coordinator’s own maximum', () => {
    const asked = { slots: 1, bufferSeconds: 86_400, estimateMs: 1000 };
    expect(inFlightCap({ ...asked, maxBufferSeconds: 10 })).toBe(10);
    expect(inFlightCap(asked)).toBe(600);
  });

  it('never goes below the count for an unknown runtime, however long the tasks', () => {
    expect(inFlightCap({ slots: 2, bufferSeconds: 1, estimateMs: 3_600_000 })).toBe(
      2 * UNKNOWN_RUNTIME_PER_SLOT,
    );
  });
});

describe('runtimeEstimate', () => {
  it('is the mean of the reported run times, none before the first', () => {
    expect(runtimeEstimate(0, 0)).toBeUndefined();
    expect(runtimeEstimate(300, 4)).toBe(75);
  });
});

describe('inFlightCap with a host speed and a deadline', () => {
  it('gives a host twice as fast twice the replicas', () => {
    // 4 s tasks on the slow host, 2 s on the fast one, 60 s of buffer per slot.
    const slow = inFlightCap({ slots: 1, bufferSeconds: 60, estimateMs: 4000 });
    const fast = inFlightCap({ slots: 1, bufferSeconds: 60, estimateMs: 2000 });
    expect([slow, fast]).toEqual([15, 30]);
  });

  it('holds no more than the host can finish before the deadline', () => {
    // 10 s tasks, 35 s deadline, 2 slots: the 7th would finish at 3 × 10 + 10 = 40 s.
    expect(
      inFlightCap({ slots: 2, bufferSeconds: 600, estimateMs: 10_000, deadlineMs: 35_000 }),
    ).toBe(6);
    // Even below the count allowed for an unknown runtime.
    expect(inFlightCap({ slots: 1, estimateMs: 10_000, deadlineMs: 15_000 })).toBe(1);
  });

  it('gives nothing to a host that would miss the deadline even idle', () => {
    expect(inFlightCap({ slots: 4, estimateMs: 20_000, deadlineMs: 10_000 })).toBe(0);
  });
});
