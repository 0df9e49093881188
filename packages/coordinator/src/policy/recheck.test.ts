import { describe, expect, it } from 'vitest';
import { type AcceptedResult, confirmationOf, resultsToRecheck } from './recheck.js';
import { newValidationRecord, recordInvalid, recordValid } from './validation-record.js';

describe('resultsToRecheck', () => {
  it('classifies a result by the other members of its agreeing group', () => {
    expect(confirmationOf([])).toBe('alone');
    expect(confirmationOf([false, false])).toBe('untrusted');
    expect(confirmationOf([false, true])).toBe('trusted');
  });

  it('re-checks what no trusted host confirmed since the previous catch', () => {
    const caught = recordValid(recordInvalid(newValidationRecord(0), 100));
    const results: AcceptedResult[] = [
      { taskId: 1, acceptedAt: 50, confirmation: 'alone' },
      { taskId: 2, acceptedAt: 100, confirmation: 'alone' },
      { taskId: 3, acceptedAt: 120, confirmation: 'untrusted' },
      { taskId: 4, acceptedAt: 130, confirmation: 'trusted' },
      { taskId: 5, acceptedAt: 140, confirmation: 'alone' },
    ];
    expect(resultsToRecheck(caught, results)).toEqual([2, 3, 5]);
  });
});
