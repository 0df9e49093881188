import { describe, expect, it } from 'vitest';
import {
  boincIsTrusted,
  boincReplicationProbability,
  boincShouldReplicate,
} from './boinc-replication.js';
import { seededRandom } from './seeded-random.js';
import {
  newValidationRecord,
  recordAlone,
  recordInvalid,
  recordValid,
  type ValidationRecord,
} from './validation-record.js';

const valid = (n: number, r = newValidationRecord(0)): ValidationRecord => {
  let out = r;
  for (let i = 0; i < n; i++) out = recordValid(out);
  return out;
};

describe('BOINC adaptive replication', () => {
  it('replicates every job until 10 consecutive valid results', () => {
    const r = valid(9);
    expect(boincIsTrusted(r)).toBe(false);
    const random = seededRandom(1);
    for (let i = 0; i < 100; i++) expect(boincShouldReplicate(r, random)).toBe(true);
  });

  it('then replicates with probability 1 / consecutive valid', () => {
    expect(boincReplicationProbability(valid(10))).toBeCloseTo(0.1);
    expect(boincReplicationProbability(valid(40))).toBeCloseTo(0.025);
    const random = seededRandom(2);
    const r = valid(20);
    let n = 0;
    for (let i = 0; i < 20_000; i++) if (boincShouldReplicate(r, random)) n++;
    expect(n / 20_000).toBeCloseTo(0.05, 2);
  });

  it('does not count results accepted alone, and starts again after an invalid one', () => {
    let r = valid(10);
    for (let i = 0; i < 100; i++) r = recordAlone(r);
    expect(boincReplicationProbability(r)).toBeCloseTo(0.1);
    expect(boincIsTrusted(recordInvalid(r, 1))).toBe(false);
  });
});
