/**
 * @module
 * A job's results as server-sent events, so a requester sees each verified result
 * within milliseconds. The stream re-reads the store whenever the hub says the job
 * changed, resumes after `Last-Event-ID` (the result cursor), and ends once the job is
 * finished and every result has been sent.
 */

import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Hub } from '../services/hub.js';
import type { Jobs } from '../services/jobs.js';
import { principalOf } from './auth.js';
import { openEventStream } from './event-stream.js';
import { REQUESTER_ROLES } from './requester-routes.js';
import { IdParam, parse } from './validate.js';

const EventsQuery = z.strictObject({ after: z.coerce.number().int().min(0).optional() });
const KEEPALIVE_MS = 15_000;
const PAGE = 1000;

export function jobEventRoutes(app: FastifyInstance, jobs: Jobs, hub: Hub): void {
  app.get('/v1/jobs/:id/events', { config: { roles: REQUESTER_ROLES } }, async (request, reply) => {
    const { id } = parse(IdParam, request.params, 'path');
    const q = parse(EventsQuery, request.query, 'query');
    const principal = principalOf(request);
    const lastId = Number(request.headers['last-event-id']);
    let cursor = Number.isInteger(lastId) && lastId > 0 ? lastId : (q.after ?? 0);
    await jobs.get(principal, id); // 404 before the stream starts

    const res = openEventStream(reply);
    let closed = false;
    let dirty = true;
    let wake: (() => void) | undefined;
    const poke = () => {
      dirty = true;
      wake?.();
    };
    const unsubscribe = hub.onJob(id, poke);
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
    request.raw.on('close', () => {
      closed = true;
      poke();
    });
    const write = async (chunk: string) => {
      if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
    };

    try {
      let lastProgress = '';
      while (!closed) {
        if (!dirty) await new Promise<void>((r) => (wake = r));
        dirty = false;
        // Read the job first: once it is finished, every result is already stored.
        const job = await jobs.get(principal, id);
        for (;;) {
          const results = await jobs.encodedResults(principal, id, cursor, PAGE);
          // One write per page: a socket write per result costs more than the result.
          let chunk = '';
          for (const result of results) {
            chunk += `id: ${result.cursor}\nevent: result\ndata: {"type":"result","result":${result.json}}\n\n`;
            cursor = result.cursor;
          }
          if (chunk) await write(chunk);
          if (results.length < PAGE || closed) break;
        }
        const progress = JSON.stringify({
          type: 'progress',
          state: job.state,
          progress: job.progress,
        });
        if (progress !== lastProgress) {
          await write(`event: progress\ndata: ${progress}\n\n`);
          lastProgress = progress;
        }
        if (job.state !== 'running') break;
      }
    } catch (err) {
      request.log.warn({ err }, 'result stream ended with an error');
    } finally {
      clearInterval(keepalive);
      unsubscribe();
      res.end();
    }
  });
}
