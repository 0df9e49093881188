import { describe, expect, it } from 'vitest';
import { BlobUploader } from './blob-uploader.js';
import { CoordinatorUnreachableError } from './coordinator-unreachable-error.js';
import { HttpClient } from './http-client.js';
import { closeServer, serve } from './node/test-server.js';

const BYTES = new TextEncoder().encode('module bytes');

describe('BlobUploader', () => {
  it('says at once that a coordinator never reached is unreachable, instead of retrying for 30 s', async () => {
    // A port nothing listens on any more.
    const url = await serve(() => {});
    await closeServer();
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
