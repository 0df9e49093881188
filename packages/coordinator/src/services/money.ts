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
import type { Principal, Store } from '../store/store.js';

export class Money {
  constructor(
    private readonly store: Store,
    private readonly clock: () => number = Date.now,
  ) {}

  /** An admin credits an account's balance: money the operator's payment system received. */
  credit(accountId: number, req: CreditRequest): Promise<MoneyResponse> {
    return this.store.moveMoney(
      {
        kind: 'credit',
        account: accountId,
        amount: req.amount,
        idempotencyKey: req.idempotencyKey,
        from: 'external',
        to: 'balance',
        ...(req.memo === undefined ? {} : { memo: req.memo }),
      },
      this.clock(),
    );
  }

  /** A provider moves its own balance or earnings into its stake. */
  stake(principal: Principal, req: StakeRequest): Promise<MoneyResponse> {
    return this.store.moveMoney(
      {
        kind: 'stake',
        account: principal.accountId,
        amount: req.amount,
        idempotencyKey: req.idempotencyKey,
        from: req.from,
        to: 'stake',
      },
      this.clock(),
    );
  }

  /** A provider takes stake back into its balance. */
  unstake(principal: Principal, req: UnstakeRequest): Promise<MoneyResponse> {
    return this.store.moveMoney(
      {
        kind: 'unstake',
        account: principal.accountId,
        amount: req.amount,
        idempotencyKey: req.idempotencyKey,
        from: 'stake',
        to: 'balance',
      },
      this.clock(),
    );
  }

  /** The operator paid a provider out of its earnings. */
  payout(req: PayoutRequest): Promise<MoneyResponse> {
    return this.store.moveMoney(
      {
        kind: 'payout',
        account: req.account,
        amount: req.amount,
        idempotencyKey: req.idempotencyKey,
        from: 'earnings',
        to: 'external',
      },
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
