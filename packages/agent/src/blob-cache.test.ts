import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { BlobCache, BlobFetchError } from './blob-cache.js';
import { sha256Hex } from './content-hash.js';
import { TransientError } from './transient-error.js';

const logger = pino({ level: 'silent' });
const retryBackoff = { initialMs: 1, maxMs: 5, factor: 2, jitter: 0 };
const bytesOf = (s: string) => new TextEncoder().encode(s);
const refOf = (b: Uint8Array) => ({ hash: sha256Hex(b), size: b.byteLength });

/** A stand-in for the coordinator's blob endpoint that answers from a script of replies. */
function fakeClient(replies: Array<() => Uint8Array>) {
  const calls: string[] = [];
  return {
    calls,
    async getBlob(hash: string) {
      calls.push(hash);
      await new Promise((r) => setTimeout(r, 5));
      const reply = replies.shift();
      if (!reply) throw new Error('no more replies');
      return reply();
    },
  };
}

let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  dirs = [];
});

describe('BlobCache', () => {
  it('fetches a blob once even when many tasks want it at the same time', async () => {
    const blob = bytesOf('module bytes');
    const client = fakeClient([() => blob]);
    const cache = new BlobCache({ client, logger });
    const got = await Promise.all(Array.from({ length: 10 }, () => cache.get(refOf(blob))));
    expect(got.every((b) => b === got[0])).toBe(true);
    expect(await cache.get(refOf(blob))).toEqual(blob);
    expect(client.calls).toHaveLength(1);
  });

  it('refuses bytes that do not hash to the reference, retrying before giving up', async () => {
    const blob = bytesOf('the real thing');
    const evil = () => bytesOf('the real thinG');
    const client = fakeClient([evil, evil, evil]);
    const cache = new BlobCache({ client, logger, retryBackoff, integrityAttempts: 3 });
    await expect(cache.get(refOf(blob))).rejects.toBeInstanceOf(BlobFetchError);
    expect(client.calls).toHaveLength(3);
  });

  it('accepts a good copy after a corrupt one', async () => {
    const blob = bytesOf('payload');
    const client = fakeClient([() => bytesOf('pAyload'), () => blob]);
    const cache = new BlobCache({ client, logger, retryBackoff });
    expect(await cache.get(refOf(blob))).toEqual(blob);
  });

  it('waits out a coordinator that is briefly unreachable', async () => {
    const blob = bytesOf('payload');
    const down = () => {
      throw new TransientError('ECONNREFUSED');
    };
    const client = fakeClient([down, down, () => blob]);
    const cache = new BlobCache({ client, logger, retryBackoff });
    expect(await cache.get(refOf(blob))).toEqual(blob);
    expect(client.calls).toHaveLength(3);
  });

  it('lets a caller give up without cancelling the fetch others share', async () => {
    const blob = bytesOf('payload');
    const client = fakeClient([() => blob]);
    const cache = new BlobCache({ client, logger });
    const impatient = new AbortController();
    const first = cache.get(refOf(blob), impatient.signal);
    const second = cache.get(refOf(blob));
    impatient.abort();
    await expect(first).rejects.toThrow();
    expect(await second).toEqual(blob);
  });

  it('keeps blobs in the cache directory and verifies them when read back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'anygrid-blobs-'));
    dirs.push(dir);
    const blob = bytesOf('on disk');
    const ref = refOf(blob);
    await new BlobCache({ client: fakeClient([() => blob]), logger, dir }).get(ref);
    expect(new Uint8Array(await readFile(join(dir, ref.hash)))).toEqual(blob);

    const offline = fakeClient([]);
    expect(await new BlobCache({ client: offline, logger, dir }).get(ref)).toEqual(blob);
    expect(offline.calls).toHaveLength(0);

    await writeFile(join(dir, ref.hash), 'rotten!');
    const refetch = fakeClient([() => blob]);
    expect(await new BlobCache({ client: refetch, logger, dir }).get(ref)).toEqual(blob);
    expect(refetch.calls).toHaveLength(1);
  });
});
