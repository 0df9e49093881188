/**
 * @module
 * The ledger's requests as the HTTP layer hands them over (docs/incentives.md): who may
 * move what, and from which of their accounts. The store does the moving, once per
 * idempotency key, in one transaction.
 */

import {
  type CreditRequest,
  ForbiddenError,
  type LedgerCheck,
  type MoneyResponse,
  type PayoutRequest,
  type Payouts,
  type StakeRequest,
  type Statement,
  type StatementQuery,
  type UnstakeRequest,
} from '@anygrid/protocol';
import type { MoneyMove, Principal, Store } from '../store/store.js';

export class Money {
  constructor(
    private readonly store: Store,
    private readonly clock: () => number = Date.now,
  ) {}

  /** An admin credits an account's balance: money the operator's payment system received. */
  credit(accountId: number, req: CreditRequest): Promise<MoneyResponse> {
    const memo = req.memo === undefined ? {} : { memo: req.memo };
    return this.move(req, {
      kind: 'credit',
      account: accountId,
      from: 'external',
      to: 'balance',
      ...memo,
    });
  }

  /** A provider moves its own balance or earnings into its stake. */
  stake(principal: Principal, req: StakeRequest): Promise<MoneyResponse> {
    return this.move(req, {
      kind: 'stake',
      account: principal.accountId,
      from: req.from,
      to: 'stake',
    });
  }

  /** A provider takes stake back into its balance. */
  unstake(principal: Principal, req: UnstakeRequest): Promise<MoneyResponse> {
    return this.move(req, {
      kind: 'unstake',
      account: principal.accountId,
      from: 'stake',
      to: 'balance',
    });
  }

  /** The operator paid a provider out of its earnings. */
  payout(req: PayoutRequest): Promise<MoneyResponse> {
    return this.move(req, {
      kind: 'payout',
      account: req.account,
      from: 'earnings',
      to: 'external',
    });
  }

  /**
   * Every request moves its amount under its idempotency key, now; only what moves where
   * differs between them.
   */
  private move(
    req: { readonly amount: number; readonly idempotencyKey: string },
    move: Omit<MoneyMove, 'amount' | 'idempotencyKey'>,
  ): Promise<MoneyResponse> {
    return this.store.moveMoney(
      { ...move, amount: req.amount, idempotencyKey: req.idempotencyKey },
      this.clock(),
    );
  }

  /** An account's entries: admins name any account, others see their own. */
  statement(principal: Principal, q: StatementQuery): Promise<Statement> {
    const account = q.account ?? principal.accountId;
    if (principal.role !== 'admin' && account !== principal.accountId) {
      throw new ForbiddenError('Only an admin may read another account’s statement.');
    }
    return this.store.statement(account, q.after, q.limit);
  }

  payouts(after: number): Promise<Payouts> {
    return this.store.payouts(after);
  }

  check(): Promise<LedgerCheck> {
    return this.store.ledgerCheck();
  }
}
