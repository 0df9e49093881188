/**
 * @module
 * Volunteer routes: an anonymous provider token for a browser's first visit (public,
 * rate-limited by the socket's address), and linking that account to a real one.
 */

import { LinkAccountRequest, type Role, VolunteerSignupRequest } from '@anygrid/protocol';
import type { FastifyInstance } from 'fastify';
import type { Volunteers } from '../services/volunteers.js';
import { principalOf } from './auth.js';
import { parse } from './validate.js';

const PROVIDER_ROLES: readonly Role[] = ['provider'];

export function volunteerRoutes(app: FastifyInstance, volunteers: Volunteers): void {
  app.post('/v1/volunteers', async (request, reply) => {
    const body = parse(VolunteerSignupRequest, request.body ?? {}, 'volunteer sign-up');
    // The socket's peer, not a forwarded-for header a client could write.
    const address = request.socket.remoteAddress ?? 'unknown';
    const created = await volunteers.signUp(address, body.label);
    return reply.status(201).send(created);
  });

  app.post('/v1/volunteers/link', { config: { roles: PROVIDER_ROLES } }, async (request) => {
    const body = parse(LinkAccountRequest, request.body, 'link request');
    return volunteers.link(principalOf(request), body.token);
  });
}
