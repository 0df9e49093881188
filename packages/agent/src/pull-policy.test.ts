import { describe, expect, it } from 'vitest';
import {
  adaptiveBuffer,
  bufferSeconds,
  DEFAULT_BUFFER_SECONDS,
  defaultBuffer,
  estimateTaskMs,
  excessBuffered,
  MAX_BUFFER,
  MAX_WORK_REQUEST,
  runsInFlight,
  TaskPace,
  wantedAssignments,
} from './pull-policy.js';

describe('wantedAssignments', () => {
  it('asks for free slots plus the buffer', () => {
    expect(wantedAssignments({ slots: 4, buffer: 2, running: 0, buffered: 0 })).toBe(6);
    expect(wantedAssignments({ slots: 4, buffer: 2, running: 3, buffered: 0 })).toBe(3);
    expect(wantedAssignments({ slots: 4, buffer: 2, running: 4, buffered: 1 })).toBe(1);
  });

  it('asks for nothing when slots and buffer are full, or overfull after a large answer', () => {
    expect(wantedAssignments({ slots: 4, buffer: 2, running: 4, buffered: 2 })).toBe(0);
    expect(wantedAssignments({ slots: 4, buffer: 2, running: 4, buffered: 9 })).toBe(0);
  });

  it('never asks for more than the protocol allows in one request', () => {
    expect(wantedAssignments({ slots: 1024, buffer: 1024, running: 0, buffered: 0 })).toBe(1000);
  });
});

describe('defaultBuffer', () => {
  it('buffers as many tasks as there are slots, at least one and at most eight', () => {
    expect([1, 2, 4, 8, 64].map(defaultBuffer)).toEqual([1, 2, 4, 8, 8]);
  });
});

describe('adaptiveBuffer', () => {
  it('starts at the default buffer until task durations are known', () => {
    expect(adaptiveBuffer(4, undefined)).toBe(defaultBuffer(4));
  });

  it('holds about a second of work per slot for short tasks', () => {
    expect(adaptiveBuffer(2, 20)).toBe(100);
    expect(adaptiveBuffer(4, 10)).toBe(400);
    expect(adaptiveBuffer(4, 100)).toBe(40);
  });

  it('grows to a few full work requests for sub-millisecond tasks', () => {
    expect(MAX_BUFFER).toBe(4 * MAX_WORK_REQUEST);
    expect(wantedAssignments({ slots: 1, buffer: MAX_BUFFER, running: 64, buffered: 0 })).toBe(
      MAX_WORK_REQUEST,
    );
    expect(adaptiveBuffer(1, 0.05)).toBe(MAX_BUFFER);
    expect(adaptiveBuffer(2, 0.5)).toBe(MAX_BUFFER);
  });

  it('keeps the default buffer for long tasks, and caps it for instant ones', () => {
    expect(adaptiveBuffer(2, 60_000)).toBe(defaultBuffer(2));
    expect(adaptiveBuffer(2, 0)).toBe(MAX_BUFFER);
  });
});

describe('TaskPace', () => {
  it('follows recent durations and ignores nonsense', () => {
    const pace = new TaskPace(0.5);
    expect(pace.averageMs).toBeUndefined();
    pace.record(100);
    pace.record(200);
    pace.record(Number.NaN);
    pace.record(-5);
    expect(pace.averageMs).toBe(150);
  });
});

describe('estimateTaskMs', () => {
  it('is the average, raised by a task already running longer', () => {
    expect(estimateTaskMs(20, 5)).toBe(20);
    expect(estimateTaskMs(20, 3000)).toBe(3000);
  });

  it('knows nothing before the first task ends, unless one runs past the target', () => {
    expect(estimateTaskMs(undefined, 10)).toBeUndefined();
    expect(estimateTaskMs(undefined, 1500)).toBe(1500);
  });
});

describe('excessBuffered', () => {
  it('hands back down to the buffer only once more than twice the buffer is held', () => {
    expect(excessBuffered(8, 4)).toBe(0);
    expect(excessBuffered(9, 4)).toBe(5);
    expect(excessBuffered(128, 2)).toBe(126);
  });
});

describe('runsInFlight', () => {
  it('hands the sandbox one run per slot while durations are unknown or long', () => {
    expect(runsInFlight(2, undefined)).toBe(2);
    expect(runsInFlight(2, 50)).toBe(2);
    expect(runsInFlight(2, 60_000)).toBe(2);
  });

  it('hands over up to 128 runs per slot when tasks take microseconds', () => {
    expect(runsInFlight(2, 5)).toBe(8);
    expect(runsInFlight(2, 0.2)).toBe(200);
    expect(runsInFlight(2, 0.03)).toBe(256);
    expect(runsInFlight(1, 0)).toBe(128);
  });
});

describe('bufferSeconds', () => {
  it('fills what is absent with the defaults', () => {
    expect(bufferSeconds()).toEqual(DEFAULT_BUFFER_SECONDS);
    expect(bufferSeconds(undefined, 10)).toEqual({ min: DEFAULT_BUFFER_SECONDS.min, max: 10 });
  });

  it('never lets the maximum fall below the minimum', () => {
    expect(bufferSeconds(30)).toEqual({ min: 30, max: 30 });
    expect(bufferSeconds(5, 2)).toEqual({ min: 5, max: 5 });
  });

  it('sizes the adaptive buffer by the minimum, in seconds of work per slot', () => {
    const { min } = bufferSeconds(3, 6);
    // 3 s of 10 ms tasks on 2 slots.
    expect(adaptiveBuffer(2, 10, min * 1000)).toBe(600);
  });
});
