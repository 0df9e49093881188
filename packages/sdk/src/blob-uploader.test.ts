import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BlobUploader } from './blob-uploader.js';
import { CoordinatorUnreachableError } from './coordinator-unreachable-error.js';
import { HttpClient } from './http-client.js';

let server: Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const BYTES = new TextEncoder().encode('module bytes');

describe('BlobUploader', () => {
  it('says at once that a coordinator never reached is unreachable, instead of retrying for 30 s', async () => {
    // A port nothing listens on any more.
    const url = await serve(() => {});
    await new Promise<void>((r) => server?.close(() => r()));
    server = undefined;
    const started = Date.now();
    const err = await new BlobUploader(new HttpClient(url, 't')).ensure(BYTES).catch((e) => e);
    expect(err).toBeInstanceOf(CoordinatorUnreachableError);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('retries an upload cut off after the coordinator answered once', async () => {
    const seen: string[] = [];
    const url = await serve((req, res) => {
      seen.push(req.method ?? '');
      // The first PUT's connection is cut: an outage mid-submit, worth retrying.
      if (req.method === 'PUT' && seen.filter((m) => m === 'PUT').length === 1) {
        res.destroy();
        return;
      }
      req.resume();
      req.on('end', () => {
        res.writeHead(req.method === 'HEAD' ? 404 : 201);
        res.end();
      });
    });
    const ref = await new BlobUploader(new HttpClient(url, 't')).ensure(BYTES);
    expect(ref.size).toBe(BYTES.byteLength);
    expect(seen).toEqual(['HEAD', 'PUT', 'HEAD', 'PUT']);
  });
});
