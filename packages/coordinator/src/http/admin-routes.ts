/**
 * @module
 * Admin and public routes: tokens, accounts and their fair-share weights, identity,
 * health and metrics.
 */

import {
  type CoordinatorStatus,
  CreateTokenRequest,
  type Role,
  UpdateAccountRequest,
} from '@anygrid/protocol';
import type { FastifyInstance } from 'fastify';
import type { Accounts } from '../services/accounts.js';
import type { Metrics } from '../services/metrics.js';
import type { Store } from '../store/store.js';
import { principalOf } from './auth.js';
import { IdParam, parse } from './validate.js';

const ANY_ROLE: readonly Role[] = ['requester', 'provider', 'admin'];

export function adminRoutes(
  app: FastifyInstance,
  deps: {
    accounts: Accounts;
    metrics: Metrics;
    store: Store;
    version: string;
    startedAt: number;
    coordinatorStatus?: () => CoordinatorStatus;
  },
): void {
  app.post('/v1/tokens', { config: { roles: ['admin'] } }, async (request, reply) => {
    const body = parse(CreateTokenRequest, request.body, 'token request');
    const { token, principal } = await deps.accounts.createToken(
      body.role,
      body.account,
      body.label,
    );
    return reply.status(201).send({
      token,
      role: principal.role,
      accountId: principal.accountId,
      account: principal.account,
    });
  });

  app.get('/v1/accounts', { config: { roles: ['admin'] } }, async () => deps.accounts.list());

  app.patch('/v1/accounts/:id', { config: { roles: ['admin'] } }, async (request) => {
    const { id } = parse(IdParam, request.params, 'path');
    const body = parse(UpdateAccountRequest, request.body, 'account update');
    return deps.accounts.setShare(id, body.share);
  });

  app.get('/v1/whoami', { config: { roles: ANY_ROLE } }, async (request) => principalOf(request));

  app.get('/v1/health', async () => ({
    status: 'ok' as const,
    version: deps.version,
    uptimeMs: Date.now() - deps.startedAt,
    store: deps.store.kind,
    ...(deps.coordinatorStatus ? { coordinator: deps.coordinatorStatus() } : {}),
  }));

  app.get('/metrics', async (_request, reply) => {
    const text = await deps.metrics.registry.metrics();
    return reply.header('content-type', deps.metrics.registry.contentType).send(text);
  });
}
