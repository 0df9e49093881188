/**
 * @module
 * Turns a Fastify reply into a server-sent events stream: the reply is taken over from
 * Fastify and answered with the headers an event stream needs, so nothing (a proxy, a
 * cache) buffers or stores it.
 */

import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';

/** Starts an event stream on `reply`; write `event:`/`data:` lines to what it returns. */
export function openEventStream(reply: FastifyReply): ServerResponse {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    // Tells nginx-style proxies not to buffer the stream.
    'x-accel-buffering': 'no',
  });
  return res;
}
