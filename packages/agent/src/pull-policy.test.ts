import { describe, expect, it } from 'vitest';
import { defaultBuffer, wantedAssignments } from './pull-policy.js';

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
