import { describe, expect, it } from 'vitest';
import { DEFAULT_MISSED_HEARTBEATS, silenceAllowedMs, silentBefore } from './liveness.js';

describe('silenceAllowedMs', () => {
  it('is a few heartbeat intervals', () => {
    expect(silenceAllowedMs(30_000)).toBe(30_000 * DEFAULT_MISSED_HEARTBEATS);
    expect(silenceAllowedMs(1000, 5)).toBe(5000);
  });
});

describe('silentBefore', () => {
  it('takes hosts unheard of for the allowed silence as silent', () => {
    expect(silentBefore(100_000, 0, 3000)).toBe(97_000);
  });

  it('does not count the coordinator’s own downtime against a host', () => {
    // Started 1 s ago: nobody can have been silent for 3 s of its uptime.
    expect(silentBefore(100_000, 99_000, 3000)).toBeNull();
    // Up for exactly the allowed silence: hosts not heard of since the start are silent.
    expect(silentBefore(100_000, 97_000, 3000)).toBe(97_000);
  });
});
