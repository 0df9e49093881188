import { CREDIT_MICROS, REFERENCE_SPEED } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { type ClaimFacts, claimedCredit, quorumGrant, SIZE_SLACK } from './credit-claim.js';

const honest: ClaimFacts = {
  reportedMs: 2000,
  elapsedMs: 2500,
  wallTimeMs: 60_000,
  speed: 2 * REFERENCE_SPEED,
  size: { measuredOps: 4 * REFERENCE_SPEED },
};

describe('claimedCredit', () => {
  it('is CPU seconds times speed over the reference speed, in micro-credits', () => {
    // 2 s at twice the reference speed: 4 credits.
    expect(claimedCredit(honest)).toBe(4 * CREDIT_MICROS);
  });

  it('bounds a host that claims 100× the time by the time it held the task', () => {
    const inflated = claimedCredit({ ...honest, reportedMs: 200_000 });
    // It held the task 2.5 s on the coordinator's clock: 5 credits at most, not 400.
    expect(inflated).toBe(5 * CREDIT_MICROS);
  });

  it('bounds a claim by the job’s wall-time limit', () => {
    expect(
      claimedCredit({ ...honest, reportedMs: 200_000, elapsedMs: null, wallTimeMs: 3000 }),
    ).toBe(6 * CREDIT_MICROS);
  });

  it('bounds a claim by SIZE_SLACK times the task’s measured size', () => {
    const claim = claimedCredit({ ...honest, reportedMs: 200_000, elapsedMs: null });
    expect(claim).toBe(4 * SIZE_SLACK * CREDIT_MICROS);
  });

  it('bounds an inflated benchmark speed by the task’s size too', () => {
    const claim = claimedCredit({ ...honest, speed: 1000 * REFERENCE_SPEED });
    expect(claim).toBe(4 * SIZE_SLACK * CREDIT_MICROS);
  });

  it('prefers the requester’s estimate of the size to the measured one', () => {
    const claim = claimedCredit({
      ...honest,
      reportedMs: 200_000,
      elapsedMs: null,
      size: { estimatedOps: REFERENCE_SPEED, measuredOps: 100 * REFERENCE_SPEED },
    });
    expect(claim).toBe(SIZE_SLACK * CREDIT_MICROS);
  });

  it('counts a host of unknown speed at the reference speed', () => {
    expect(claimedCredit({ ...honest, speed: null })).toBe(2 * CREDIT_MICROS);
  });

  it('is zero for a zero or negative run time', () => {
    expect(claimedCredit({ ...honest, reportedMs: 0 })).toBe(0);
    expect(claimedCredit({ ...honest, elapsedMs: -5 })).toBe(0);
  });
});

describe('quorumGrant', () => {
  it('grants the lowest claim, so a host claiming 100× the time gains nothing', () => {
    const a = claimedCredit(honest);
    const inflater = claimedCredit({ ...honest, reportedMs: 200_000, elapsedMs: 200_000 });
    expect(inflater).toBeGreaterThan(a);
    expect(quorumGrant([inflater, a])).toBe(a);
    expect(quorumGrant([a, inflater, a])).toBe(a);
  });

  it('is zero for no claims', () => {
    expect(quorumGrant([])).toBe(0);
  });
});
