import { describe, expect, it } from 'vitest';
import {
  newValidationRecord,
  recordAlone,
  recordExonerated,
  recordFailure,
  recordInvalid,
  recordValid,
  strikes,
  type ValidationRecord,
} from './validation-record.js';

const times = (n: number, f: (r: ValidationRecord) => ValidationRecord, r: ValidationRecord) => {
  let out = r;
  for (let i = 0; i < n; i++) out = f(out);
  return out;
};

describe('validation record', () => {
  it('counts confirmed and lone results into the streak, only confirmed ones into consecutiveValid', () => {
    const r = recordAlone(recordValid(recordValid(newValidationRecord(5))));
    expect(r).toMatchObject({ valid: 2, alone: 1, streak: 3, consecutiveValid: 2, since: 5 });
  });

  it('restarts every run counter on an invalid result and adds a strike', () => {
    const r = recordInvalid(times(30, recordValid, newValidationRecord(0)), 1000);
    expect(r).toMatchObject({
      valid: 30,
      invalid: 1,
      streak: 0,
      consecutiveValid: 0,
      strikes: 1,
      since: 1000,
    });
  });

  it('forgives a strike per clean stretch after it, never banked before it', () => {
    const banked = recordInvalid(times(5000, recordValid, newValidationRecord(0)), 1, 1000);
    expect(strikes(banked, 1000)).toBe(1);
    const twice = recordInvalid(banked, 2, 1000);
    expect(strikes(twice, 1000)).toBe(2);
    const clean = times(1000, recordAlone, twice);
    expect(strikes(clean, 1000)).toBe(1);
    // A later invalid result keeps the forgiveness earned before it.
    expect(strikes(recordInvalid(clean, 3, 1000), 1000)).toBe(2);
  });

  it('leaves trust alone on failures; an error resets only BOINC’s counter', () => {
    const base = times(12, recordValid, newValidationRecord(0));
    const errored = recordFailure(base, 'errored');
    expect(errored).toMatchObject({ errored: 1, streak: 12, consecutiveValid: 0 });
    expect(recordFailure(base, 'timed_out')).toMatchObject({
      timedOut: 1,
      streak: 12,
      consecutiveValid: 12,
    });
    expect(recordFailure(base, 'abandoned')).toMatchObject({ abandoned: 1, streak: 12 });
  });

  it('withdraws an invalid result and its strike when a re-check shows the host was right', () => {
    const caught = recordInvalid(times(3, recordValid, newValidationRecord(0)), 9);
    const cleared = recordExonerated(caught);
    expect(cleared).toMatchObject({ valid: 4, invalid: 0, strikes: 0 });
    expect(recordExonerated(newValidationRecord(0))).toMatchObject({ invalid: 0, strikes: 0 });
  });
});
