/**
 * @module
 * The ledger's routes (docs/incentives.md): an admin's credit and payouts, a provider's
 * stake, statements, and the invariant check. Every money request carries an
 * idempotency key; every body and query goes through its protocol schema.
 */

import {
  CreditRequest,
  PayoutRequest,
  PayoutsQuery,
  StakeRequest,
  StatementQuery,
  UnstakeRequest,
} from '@anygrid/protocol';
import type { FastifyInstance } from 'fastify';
import type { Money } from '../services/money.js';
import { principalOf } from './auth.js';
import { IdParam, parse } from './validate.js';

export function moneyRoutes(app: FastifyInstance, money: Money): void {
  app.post('/v1/accounts/:id/credit', { config: { roles: ['admin'] } }, async (request) => {
    const { id } = parse(IdParam, request.params, 'path');
    return money.credit(id, parse(CreditRequest, request.body, 'credit'));
  });

  app.post('/v1/stake', { config: { roles: ['provider'] } }, async (request) =>
    money.stake(principalOf(request), parse(StakeRequest, request.body, 'stake')),
  );

  app.post('/v1/unstake', { config: { roles: ['provider'] } }, async (request) =>
    money.unstake(principalOf(request), parse(UnstakeRequest, request.body, 'unstake')),
  );

  app.post('/v1/payouts', { config: { roles: ['admin'] } }, async (request) =>
    money.payout(parse(PayoutRequest, request.body, 'payout')),
  );

  app.get('/v1/payouts', { config: { roles: ['admin'] } }, async (request) =>
    money.payouts(parse(PayoutsQuery, request.query, 'query').after),
  );

  app.get(
    '/v1/statement',
    { config: { roles: ['requester', 'provider', 'admin'] } },
    async (request) =>
      money.statement(principalOf(request), parse(StatementQuery, request.query, 'query')),
  );

  app.get('/v1/ledger/check', { config: { roles: ['admin'] } }, async () => money.check());
}
