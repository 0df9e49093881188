import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonHttp, NoAnswerError } from './json-http.js';

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A server answering every request with `handler`; returns a client for it. */
async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  path = '',
): Promise<JsonHttp> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = new JsonHttp(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`);
  closers.push(() => {
    client.close();
    server.closeAllConnections();
    server.close();
  });
  return client;
}

describe('JsonHttp', () => {
  it('sends the body with its headers under the base path, and reuses the connection', async () => {
    const seen: Array<{ url?: string; type?: string; auth?: string; body: string; port: number }> =
      [];
    const client = await serve((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        seen.push({
          url: req.url,
          type: req.headers['content-type'],
          auth: req.headers.authorization,
          body,
          port: req.socket.remotePort ?? 0,
        });
        res.writeHead(207, { 'content-type': 'application/json' });
        res.end('{"ok":"é"}');
      });
    }, '/base/');
    for (let i = 0; i < 2; i++) {
      const answer = await client.request(
        'POST',
        '/v1/x',
        '{"a":"ü"}',
        { authorization: 'B' },
        5000,
      );
      expect(answer).toEqual({ status: 207, text: '{"ok":"é"}' });
    }
    expect(seen[0]).toMatchObject({
      url: '/base/v1/x',
      type: 'application/json',
      auth: 'B',
      body: '{"a":"ü"}',
    });
    // Kept alive: the second request came over the same connection.
    expect(seen[1]?.port).toBe(seen[0]?.port);
  });

  it('gives up on an answer that does not come in time', async () => {
    const client = await serve(() => {});
    const error = await client.request('POST', '/', '{}', {}, 100).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoAnswerError);
    expect(error).toMatchObject({ code: 'ETIMEDOUT', answered: false });
  });

  it('stops when its signal aborts, with the signal’s reason', async () => {
    const client = await serve(() => {});
    const stop = new AbortController();
    const pending = client.request('POST', '/', '{}', {}, 10_000, stop.signal);
    stop.abort(new Error('stopping'));
    await expect(pending).rejects.toThrow('stopping');
  });

  it('names a refused connection and an answer that broke off', async () => {
    const refused = new JsonHttp('http://127.0.0.1:1');
    closers.push(() => refused.close());
    await expect(refused.request('POST', '/', '{}', {}, 5000)).rejects.toMatchObject({
      code: 'ECONNREFUSED',
      answered: false,
    });
    const client = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"partial":');
      setTimeout(() => res.destroy(), 20);
    });
    await expect(client.request('POST', '/', '{}', {}, 5000)).rejects.toMatchObject({
      answered: true,
    });
  });
});
