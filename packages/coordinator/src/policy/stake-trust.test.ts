import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ADAPTIVE,
  isTrusted,
  replicationProbability,
  requiredStreak,
} from './adaptive-replication.js';
import {
  MIN_WARMUP_SHARE,
  STAKE_UNIT,
  stakedWarmup,
  stakeOutranks,
  warmupShare,
} from './stake-trust.js';
import {
  newValidationRecord,
  recordInvalid,
  recordValid,
  type ValidationRecord,
} from './validation-record.js';

const p = DEFAULT_ADAPTIVE;
const staked = (stake: number): ValidationRecord => ({ ...newValidationRecord(0), stake });
/** `n` results confirmed by hosts of three other accounts in turn (enough partners). */
const valid = (n: number, r: ValidationRecord): ValidationRecord => {
  let out = r;
  for (let i = 0; i < n; i++) out = recordValid(out, [100 + (i % 3)]);
  return out;
};

describe('stake and trust', () => {
  it('halves the warm-up for one unit of stake, down to a quarter, never below one result', () => {
    expect(warmupShare(0)).toBe(1);
    expect(warmupShare(-5)).toBe(1);
    expect(warmupShare(STAKE_UNIT)).toBe(0.5);
    expect(warmupShare(3 * STAKE_UNIT)).toBe(MIN_WARMUP_SHARE);
    expect(warmupShare(1000 * STAKE_UNIT)).toBe(MIN_WARMUP_SHARE);
    expect(stakedWarmup(20, 0)).toBe(20);
    expect(stakedWarmup(20, STAKE_UNIT)).toBe(10);
    expect(stakedWarmup(20, 1000 * STAKE_UNIT)).toBe(5);
    expect(stakedWarmup(1, 1000 * STAKE_UNIT)).toBe(1);
  });

  it('trusts a staked host after a shorter streak, and replicates its tasks less from there', () => {
    const rich = staked(3 * STAKE_UNIT);
    const plain = newValidationRecord(0);
    expect(requiredStreak(rich, p)).toBe(p.warmup / 4);
    expect(isTrusted(valid(p.warmup / 4, rich), p)).toBe(true);
    expect(isTrusted(valid(p.warmup / 4, plain), p)).toBe(false);
    // At every streak past its warm-up the staked host is replicated no more than the other.
    for (let n = p.warmup / 4; n < 200; n += 7) {
      expect(replicationProbability(valid(n, rich), p)).toBeLessThanOrEqual(
        replicationProbability(valid(n, plain), p),
      );
    }
    // The floor is not for sale.
    expect(replicationProbability(valid(10_000, rich), p)).toBe(p.floor);
  });

  it('still makes a caught staked host untrusted, and doubles its (shorter) warm-up per strike', () => {
    const rich = valid(40, staked(STAKE_UNIT));
    expect(isTrusted(rich, p)).toBe(true);
    const caught = recordInvalid(rich, 1);
    expect(caught.stake).toBe(STAKE_UNIT);
    expect(isTrusted(caught, p)).toBe(false);
    expect(requiredStreak(caught, p)).toBe(2 * (p.warmup / 2));
    // A slash read at the next record read lengthens it again.
    expect(requiredStreak({ ...caught, stake: STAKE_UNIT / 10 }, p)).toBeGreaterThan(
      requiredStreak(caught, p),
    );
  });

  it('ranks a stake above another only by a unit or more', () => {
    expect(stakeOutranks(STAKE_UNIT, 0)).toBe(true);
    expect(stakeOutranks(STAKE_UNIT - 1, 0)).toBe(false);
    expect(stakeOutranks(0, STAKE_UNIT)).toBe(false);
  });
});
