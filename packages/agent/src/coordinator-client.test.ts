import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AnygridError, NotAssignedError } from '@anygrid/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { BlobIntegrityError, CoordinatorClient } from './coordinator-client.js';
import { JsonHttp } from './json-http.js';
import { TransientError } from './transient-error.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A stand-in coordinator answering every request with `handler`. */
async function serve(handler: Handler): Promise<CoordinatorClient> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => server.close());
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}/`;
  return new CoordinatorClient({ baseUrl, token: 't0k', transport: new JsonHttp(baseUrl) });
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const hash = 'ab'.repeat(32);

describe('CoordinatorClient', () => {
  it('sends the bearer token and a schema-checked body, and parses the answer', async () => {
    let seen: { auth?: string; body?: string } = {};
    const client = await serve((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        seen = { auth: req.headers.authorization, body };
        json(res, 200, { jobs: {}, assignments: [] });
      });
    });
    expect(await client.work(3, 5)).toEqual({ assignments: [] });
    expect(seen).toEqual({ auth: 'Bearer t0k', body: '{"hostId":3,"max":5}' });
  });

  it('treats no answer, 5xx and UNAVAILABLE as transient', async () => {
    const refused = new CoordinatorClient({
      baseUrl: 'http://127.0.0.1:1',
      token: 't',
      transport: new JsonHttp('http://127.0.0.1:1'),
    });
    await expect(refused.work(1, 1)).rejects.toBeInstanceOf(TransientError);
    const down = await serve((_req, res) =>
      json(res, 503, { error: { code: 'UNAVAILABLE', message: 'restarting' } }),
    );
    await expect(down.work(1, 1)).rejects.toMatchObject({ name: 'TransientError', status: 503 });
    const broken = await serve((_req, res) => res.writeHead(502).end('bad gateway'));
    await expect(broken.work(1, 1)).rejects.toBeInstanceOf(TransientError);
  });

  it('rebuilds a client error as the protocol class, details included', async () => {
    const client = await serve((_req, res) =>
      json(res, 403, {
        error: { code: 'NOT_ASSIGNED', message: 'no', details: { replicaIds: [4] } },
      }),
    );
    const error = await client.heartbeat({ hostId: 1, replicaIds: [4] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotAssignedError);
    expect(error).toBeInstanceOf(AnygridError);
    expect((error as AnygridError).details).toEqual({ replicaIds: [4] });
  });

  it('refuses an answer outside the protocol without calling it transient', async () => {
    const client = await serve((_req, res) => json(res, 200, { jobs: {}, assignments: 'lots' }));
    const error = await client.work(1, 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TransientError);
  });

  it('refuses a blob longer than its reference before reading it all', async () => {
    const client = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.alloc(100));
    });
    await expect(client.getBlob(hash, 10)).rejects.toBeInstanceOf(BlobIntegrityError);
  });

  it('refuses a streamed blob that runs past its size', async () => {
    const client = await serve((_req, res) => {
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      res.write(Buffer.alloc(8));
      res.end(Buffer.alloc(8));
    });
    await expect(client.getBlob(hash, 10)).rejects.toBeInstanceOf(BlobIntegrityError);
  });

  it('calls a download that breaks off transient, so it is retried rather than failed', async () => {
    const client = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write(Buffer.alloc(10));
      setTimeout(() => res.destroy(), 10);
    });
    await expect(client.getBlob(hash, 1000)).rejects.toBeInstanceOf(TransientError);
  });
});
