/**
 * @module
 * Bearer-token authentication and role checks. Each route declares the roles it admits
 * in its config; the check runs before the body is parsed, so an unauthenticated client
 * cannot make the coordinator read a large body.
 */

import { ForbiddenError, type Role, UnauthenticatedError } from '@anygrid/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Accounts } from '../services/accounts.js';
import type { Principal } from '../store/store.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Roles admitted; absent means the route is public. */
    roles?: readonly Role[];
  }
}

export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m?.[1] ?? null;
}

export function installAuth(app: FastifyInstance, accounts: Accounts): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const roles = request.routeOptions.config.roles;
    if (!roles) return;
    const token = bearerToken(request.headers.authorization);
    if (!token) throw new UnauthenticatedError();
    const principal = await accounts.authenticate(token);
    if (!principal)
      throw new UnauthenticatedError(
        'This token is not known to the coordinator; create one with `anygrid token create`.',
      );
    if (!roles.includes(principal.role)) {
      throw new ForbiddenError(
        `A ${principal.role} token may not call ${request.method} ${request.routeOptions.url}; it needs one of: ${roles.join(', ')}.`,
        {
          role: principal.role,
          allowed: roles,
        },
      );
    }
    request.principal = principal;
  });
}

/** The authenticated caller; routes with `roles` always have one. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new UnauthenticatedError();
  return request.principal;
}
