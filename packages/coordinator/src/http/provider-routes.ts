/**
 * @module
 * Provider routes: join, pull work, report, heartbeat, checkpoint, hand back.
 */

import {
  AbandonRequest,
  CheckpointRequest,
  HeartbeatRequest,
  RegisterHostRequest,
  type Role,
  WorkRequest,
  workResponse,
} from '@anygrid/protocol';
import type { FastifyInstance } from 'fastify';
import type { Providers } from '../services/providers.js';
import { principalOf } from './auth.js';
import { ReportBatchReader } from './report-batch-reader.js';
import { parse } from './validate.js';

const PROVIDER_ROLES: readonly Role[] = ['provider'];

/** A batch of 1000 reports with inline outputs up to 64 KiB each. */
const REPORT_BODY_LIMIT = 128 * 1024 * 1024;

export function providerRoutes(
  app: FastifyInstance,
  providers: Providers,
  heartbeatMs: number,
): void {
  const config = { roles: PROVIDER_ROLES };

  app.post('/v1/hosts', { config }, async (request, reply) => {
    const body = parse(RegisterHostRequest, request.body, 'host');
    // The socket's peer, not a header a client could write: the one-network rule needs
    // the address the coordinator itself sees.
    const { hostId, released } = await providers.register(
      principalOf(request),
      body,
      request.socket.remoteAddress,
    );
    if (released > 0)
      request.log.info({ hostId, released }, 'a rejoining host handed back its replicas');
    return reply.status(201).send({ hostId, heartbeatMs });
  });

  app.post('/v1/work', { config }, async (request) => {
    const body = parse(WorkRequest, request.body, 'work request');
    const { assignments, more } = await providers.work(
      principalOf(request),
      body.hostId,
      body.max,
      body.blobs,
      body.bufferSeconds,
    );
    return workResponse(assignments, more);
  });

  app.post('/v1/reports', { config, bodyLimit: REPORT_BODY_LIMIT }, async (request) => {
    const body = parse(ReportBatchReader, request.body, 'report batch');
    return providers.report(principalOf(request), body);
  });

  app.post('/v1/heartbeat', { config }, async (request) => {
    const body = parse(HeartbeatRequest, request.body, 'heartbeat');
    return providers.heartbeat(principalOf(request), body);
  });

  app.post('/v1/checkpoints', { config }, async (request) => {
    const body = parse(CheckpointRequest, request.body, 'checkpoint');
    return providers.checkpoint(principalOf(request), body);
  });

  app.post('/v1/abandon', { config }, async (request) => {
    const body = parse(AbandonRequest, request.body, 'abandon request');
    return providers.abandon(principalOf(request), body);
  });
}
