import { ConflictError } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { CoordinatorUnreachableError } from './coordinator-unreachable-error.js';
import { HttpClient } from './http-client.js';
import { serve } from './node/test-server.js';

describe('HttpClient', () => {
  it('sends the bearer token and rebuilds error bodies as their classes', async () => {
    let auth: string | undefined;
    const url = await serve((req, res) => {
      auth = req.headers.authorization;
      res.writeHead(409, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ error: { code: 'CONFLICT', message: 'Job 1 is already completed.' } }),
      );
    });
    const err = await new HttpClient(url, 'tok')
      .json({ path: '/v1/jobs/1' })
      .catch((e: unknown) => e);
    expect(auth).toBe('Bearer tok');
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).message).toBe('Job 1 is already completed.');
  });

  it('gives up on a read that gets no answer, as an unreachable coordinator', async () => {
    const url = await serve(() => {
      // never answers
    });
    const err = await new HttpClient(url, 't')
      .json({ path: '/v1/jobs', timeoutMs: 100 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CoordinatorUnreachableError);
    expect((err as CoordinatorUnreachableError).retryable).toBe(true);
  });

  it('reports a body cut short like a coordinator that went away', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"jobs": [');
      setTimeout(() => res.destroy(), 20);
    });
    const err = await new HttpClient(url, 't').json({ path: '/v1/jobs' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CoordinatorUnreachableError);
  });
});
