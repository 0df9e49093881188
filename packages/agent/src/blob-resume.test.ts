import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { BlobCache } from './blob-cache.js';
import { sha256Hex } from './content-hash.js';
import type { PartialBlob } from './coordinator-client.js';
import { TransientError } from './transient-error.js';

const logger = pino({ level: 'silent' });
const retryBackoff = { initialMs: 1, maxMs: 5, factor: 2, jitter: 0 };

/**
 * The coordinator's blob endpoint as the cache sees it: each call continues the transfer
 * from `partial.received`, as a Range request would, and the first `cuts` calls break
 * off after `chunk` bytes.
 */
function breakingClient(blob: Uint8Array, chunk: number, cuts: number) {
  const starts: number[] = [];
  return {
    starts,
    async getBlob(_hash: string, size: number, _signal?: AbortSignal, partial?: PartialBlob) {
      const p = partial as PartialBlob;
      starts.push(p.received);
      const end = starts.length <= cuts ? Math.min(size, p.received + chunk) : size;
      p.bytes.set(blob.subarray(p.received, end), p.received);
      p.received = end;
      if (end < size) throw new TransientError('connection reset');
      return p.bytes;
    },
  };
}

let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  dirs = [];
});

describe('resumed blob downloads', () => {
  it('goes on from the last byte after each break, and verifies the whole', async () => {
    const blob = randomBytes(10_000);
    const client = breakingClient(blob, 3000, 2);
    const cache = new BlobCache({ client, logger, retryBackoff });
    const got = await cache.get({ hash: sha256Hex(blob), size: blob.byteLength });
    expect(Buffer.from(got).equals(blob)).toBe(true);
    expect(client.starts).toEqual([0, 3000, 6000]);
    expect(cache.resumes).toBe(1);
  });

  it('keeps the partial file in the cache directory, so a new agent resumes it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'anygrid-resume-'));
    dirs.push(dir);
    const blob = randomBytes(10_000);
    const ref = { hash: sha256Hex(blob), size: blob.byteLength };
    // The link dies for good after 4000 bytes.
    const first = {
      async getBlob(_h: string, _size: number, _s?: AbortSignal, partial?: PartialBlob) {
        const p = partial as PartialBlob;
        p.bytes.set(blob.subarray(p.received, 4000), p.received);
        p.received = 4000;
        throw new TransientError('no route to host');
      },
    };
    const dying = new BlobCache({ client: first, logger, dir, retryBackoff });
    const pending = dying.get(ref).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 30));
    dying.close();
    await pending;
    expect(await readdir(dir)).toContain(`${ref.hash}.part`);

    const second = breakingClient(blob, 0, 0);
    const restarted = new BlobCache({ client: second, logger, dir, retryBackoff });
    const got = await restarted.get(ref);
    expect(Buffer.from(got).equals(blob)).toBe(true);
    expect(second.starts).toEqual([4000]);
    expect(await readdir(dir)).not.toContain(`${ref.hash}.part`);
  });

  it('starts again from byte 0 when the whole does not verify', async () => {
    const blob = randomBytes(5000);
    const bad = Buffer.from(blob);
    bad.writeUInt8((bad.readUInt8(4999) + 1) % 256, 4999);
    let calls = 0;
    const starts: number[] = [];
    const client = {
      async getBlob(_h: string, size: number, _s?: AbortSignal, partial?: PartialBlob) {
        const p = partial as PartialBlob;
        starts.push(p.received);
        calls++;
        const source = calls === 2 ? bad : blob;
        const end = calls === 1 ? 2500 : size;
        p.bytes.set(source.subarray(p.received, end), p.received);
        p.received = end;
        if (end < size) throw new TransientError('reset');
        return p.bytes;
      },
    };
    const cache = new BlobCache({ client, logger, retryBackoff });
    const got = await cache.get({ hash: sha256Hex(blob), size: blob.byteLength });
    expect(Buffer.from(got).equals(blob)).toBe(true);
    expect(starts).toEqual([0, 2500, 0]);
  });
});
