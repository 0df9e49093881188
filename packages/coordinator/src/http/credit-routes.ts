/**
 * @module
 * Credit routes: `GET /v1/leaderboard` and teams (`POST /v1/teams` creates one and joins
 * it, `POST /v1/teams/join` joins one). Any token may call them: the leaderboard names
 * hosts and accounts, which a grid's own users may see (as a BOINC project shows its
 * volunteers) but an anonymous visitor of a private coordinator should not.
 */

import { LeaderboardQuery, type Role, TeamRequest } from '@anygrid/protocol';
import type { FastifyInstance } from 'fastify';
import type { Credit } from '../services/credit.js';
import { principalOf } from './auth.js';
import { parse } from './validate.js';

const ANY_ROLE: readonly Role[] = ['requester', 'provider', 'admin'];

export function creditRoutes(app: FastifyInstance, credit: Credit): void {
  const config = { roles: ANY_ROLE };

  app.get('/v1/leaderboard', { config }, async (request) =>
    credit.leaderboard(parse(LeaderboardQuery, request.query, 'query')),
  );

  app.post('/v1/teams', { config }, async (request, reply) => {
    const { name } = parse(TeamRequest, request.body, 'body');
    const team = await credit.createTeam(principalOf(request), name);
    reply.code(201);
    return team;
  });

  app.post('/v1/teams/join', { config }, async (request) => {
    const { name } = parse(TeamRequest, request.body, 'body');
    return credit.joinTeam(principalOf(request), name);
  });
}
