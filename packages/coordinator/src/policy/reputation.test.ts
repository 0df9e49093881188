import { describe, expect, it } from 'vitest';
import { isQuarantined, releaseFromQuarantine, reputation, sumRecords } from './reputation.js';
import {
  newValidationRecord,
  recordFailure,
  recordInvalid,
  recordValid,
  type ValidationRecord,
} from './validation-record.js';

const valid = (n: number, r = newValidationRecord(0)): ValidationRecord => {
  let out = r;
  for (let i = 0; i < n; i++) out = recordValid(out);
  return out;
};

describe('reputation', () => {
  it('starts a stranger at one half, with no lower bound to speak of', () => {
    const rep = reputation(newValidationRecord(0));
    expect(rep.score).toBe(0.5);
    expect(rep.lowerBound).toBeLessThan(0.1);
    expect(rep.judged).toBe(0);
  });

  it('is the Beta posterior mean, and ranks a long clean record above a short one', () => {
    expect(reputation(valid(8)).score).toBeCloseTo(9 / 10);
    const short = reputation(valid(10));
    const long = reputation(valid(1000));
    expect(long.lowerBound).toBeGreaterThan(short.lowerBound);
    expect(long.lowerBound).toBeGreaterThan(0.99);
  });

  it('counts invalid, errored and timed-out replicas against the host, abandoned ones not', () => {
    const base = valid(10);
    const bad = recordFailure(recordFailure(recordInvalid(base, 1), 'errored'), 'timed_out');
    expect(reputation(bad).score).toBeCloseTo(11 / 15);
    expect(reputation(recordFailure(base, 'abandoned')).score).toBe(reputation(base).score);
  });

  it('adds hosts into an account', () => {
    const total = sumRecords([valid(3), recordInvalid(valid(2), 1)]);
    expect(total).toMatchObject({ valid: 5, invalid: 1, strikes: 1 });
  });

  it('quarantines at three strikes, and an admin’s release clears them', () => {
    let r = valid(50);
    for (let i = 0; i < 2; i++) r = recordInvalid(valid(30, r), i);
    expect(isQuarantined(r)).toBe(false);
    r = recordInvalid(r, 3);
    expect(isQuarantined(r)).toBe(true);
    const released = releaseFromQuarantine(r, 4);
    expect(isQuarantined(released)).toBe(false);
    expect(released).toMatchObject({ streak: 0, strikes: 0, invalid: 3, since: 4 });
  });

  it('does not quarantine a host whose rare invalid results are far apart', () => {
    let r = newValidationRecord(0);
    for (let i = 0; i < 5; i++) r = recordInvalid(valid(1000, r), i);
    expect(isQuarantined(r)).toBe(false);
  });
});
