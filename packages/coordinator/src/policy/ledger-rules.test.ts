import { describe, expect, it } from 'vitest';
import { type LedgerFacts, ledgerProblems, mayBeNegative } from './ledger-rules.js';

const clean: LedgerFacts = {
  unbalanced: [],
  total: 0,
  balances: [
    { kind: 'external', owner: 0, kept: -100, posted: -100 },
    { kind: 'balance', owner: 1, kept: 100, posted: 100 },
  ],
  replicas: [
    { replicaId: 1, payable: true, netPayments: 1, marked: true },
    { replicaId: 2, payable: false, netPayments: 0, marked: false },
  ],
  endedEscrow: [],
};

describe('ledgerProblems', () => {
  it('finds nothing wrong with a balanced ledger that paid each valid replica once', () => {
    expect(ledgerProblems(clean)).toEqual([]);
  });
  it('lets only external and earnings go negative', () => {
    expect(mayBeNegative('external')).toBe(true);
    expect(mayBeNegative('earnings')).toBe(true);
    for (const k of ['balance', 'escrow', 'fees', 'stake'] as const)
      expect(mayBeNegative(k)).toBe(false);
    const facts = {
      ...clean,
      balances: [{ kind: 'escrow' as const, owner: 3, kept: -1, posted: -1 }],
    };
    expect(ledgerProblems(facts).map((p) => p.rule)).toEqual(['negative_balance']);
  });
  it('names a valid replica unpaid, an invalid one paid, and one paid twice', () => {
    const facts = {
      ...clean,
      replicas: [
        { replicaId: 1, payable: true, netPayments: 0, marked: false },
        { replicaId: 2, payable: false, netPayments: 1, marked: true },
        { replicaId: 3, payable: true, netPayments: 2, marked: true },
      ],
    };
    expect(ledgerProblems(facts).map((p) => p.rule)).toEqual([
      'unpaid_valid_replica',
      'paid_invalid_replica',
      'paid_twice',
    ]);
  });
  it('names unbalanced transfers, a non-zero total, a stale kept balance and escrow left', () => {
    const facts = {
      ...clean,
      unbalanced: [9],
      total: 5,
      balances: [{ kind: 'fees' as const, owner: 0, kept: 4, posted: 5 }],
      endedEscrow: [{ jobId: 2, escrow: 10 }],
    };
    expect(ledgerProblems(facts).map((p) => p.rule)).toEqual([
      'unbalanced_transfer',
      'total_not_zero',
      'balance_mismatch',
      'escrow_left',
    ]);
  });
});
