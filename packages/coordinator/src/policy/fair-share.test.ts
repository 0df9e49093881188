import { describe, expect, it } from 'vitest';
import { FairShare, type ShareAccount } from './fair-share.js';

/** Serves `rounds` replicas of cost 1, one at a time, to whichever account is first; counts per account. */
function serve(fair: FairShare, rounds: number): Map<number, number> {
  const sent = new Map<number, number>();
  for (let i = 0; i < rounds; i++) {
    const a = fair.at(0) as ShareAccount;
    fair.charge(a, 1, 1);
    sent.set(a.id, (sent.get(a.id) ?? 0) + 1);
  }
  return sent;
}

describe('FairShare', () => {
  it('alternates between accounts of equal share', () => {
    const fair = new FairShare();
    fair.activate(1);
    fair.activate(2);
    expect(Object.fromEntries(serve(fair, 1000))).toEqual({ 1: 500, 2: 500 });
  });

  it('sends work in proportion to shares, 2:1 and 3:1', () => {
    const fair = new FairShare();
    fair.setShare(1, 2);
    fair.setShare(3, 3);
    for (const id of [1, 2]) fair.activate(id);
    expect(Object.fromEntries(serve(fair, 900))).toEqual({ 1: 600, 2: 300 });
    fair.deactivate(fair.at(0) as ShareAccount);
    fair.deactivate(fair.at(0) as ShareAccount);
    fair.activate(3);
    fair.activate(4);
    const sent = serve(fair, 4000);
    expect(sent.get(3)).toBe(3000);
    expect(sent.get(4)).toBe(1000);
  });

  it('bills cost, not replicas, when replicas cost differently: ten times the cost, a tenth of the replicas', () => {
    const fair = new FairShare();
    fair.activate(1);
    fair.activate(2);
    const sent = new Map<number, number>();
    for (let i = 0; i < 1100; i++) {
      const a = fair.at(0) as ShareAccount;
      fair.charge(a, 1, a.id === 1 ? 10 : 1);
      sent.set(a.id, (sent.get(a.id) ?? 0) + 1);
    }
    expect(sent.get(1)).toBe(100);
    expect(sent.get(2)).toBe(1000);
  });

  it('starts an account that comes back level with the account being served: no credit banked while away', () => {
    const fair = new FairShare();
    const busy = fair.activate(1);
    const away = fair.activate(2);
    serve(fair, 100);
    fair.deactivate(away);
    // Account 1 alone for a long while (billed, as when a second account has work).
    for (let i = 0; i < 10_000; i++) fair.charge(busy, 1, 1);
    fair.activate(2);
    // Account 2 gets half from now on, not the whole pool until it has caught up.
    expect(Object.fromEntries(serve(fair, 100))).toEqual({ 1: 50, 2: 50 });
  });

  it('holds back an account that left with a lead only by that lead', () => {
    const fair = new FairShare();
    const a = fair.activate(1);
    fair.activate(2);
    fair.charge(a, 10, 10);
    fair.deactivate(a);
    fair.activate(1);
    expect(Object.fromEntries(serve(fair, 30))).toEqual({ 1: 10, 2: 20 });
  });

  it('sizes a quantum to reach the next account, at least an even part of the rest', () => {
    const fair = new FairShare();
    const a = fair.activate(1);
    const b = fair.activate(2);
    expect(fair.quantum(a, undefined, 64)).toBe(64);
    // Nothing known of a's cost per replica yet: its even part.
    expect(fair.quantum(a, b, 64)).toBe(16);
    fair.charge(a, 16, 32);
    // b's cost per replica is not known yet either: its even part.
    expect(fair.quantum(b, a, 48)).toBe(12);
    fair.charge(b, 4, 4);
    // b's replicas cost 1 and it is 28 behind a: 28 more bring it level.
    expect(fair.quantum(b, a, 44)).toBe(28);
  });

  it('refunds a charge, never below where the account being served stands', () => {
    const fair = new FairShare();
    const a = fair.activate(1);
    const b = fair.activate(2);
    fair.charge(a, 5, 5);
    fair.charge(b, 5, 5);
    fair.refund(1, 5);
    expect(a.pass).toBe(0);
    expect(fair.at(0)).toBe(a);
    fair.refund(1, 100);
    expect(a.pass).toBe(0);
  });

  it('refuses a share that is not positive', () => {
    expect(() => new FairShare().setShare(1, 0)).toThrow(RangeError);
  });
});
