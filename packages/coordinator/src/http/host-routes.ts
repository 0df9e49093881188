/**
 * @module
 * Host routes for people: list and inspect hosts (admins: all; providers: their own)
 * and release one from quarantine (admins). Registration stays a provider route.
 */

import type { Role } from '@anygrid/protocol';
import type { FastifyInstance } from 'fastify';
import type { Hosts } from '../services/hosts.js';
import { principalOf } from './auth.js';
import { IdParam, parse } from './validate.js';

const VIEWER_ROLES: readonly Role[] = ['provider', 'admin'];

export function hostRoutes(app: FastifyInstance, hosts: Hosts): void {
  const config = { roles: VIEWER_ROLES };

  app.get('/v1/hosts', { config }, async (request) => hosts.list(principalOf(request)));

  app.get('/v1/hosts/:id', { config }, async (request) => {
    const { id } = parse(IdParam, request.params, 'path');
    return hosts.get(principalOf(request), id);
  });

  app.post('/v1/hosts/:id/release', { config: { roles: ['admin'] } }, async (request) => {
    const { id } = parse(IdParam, request.params, 'path');
    return hosts.release(id);
  });
}
