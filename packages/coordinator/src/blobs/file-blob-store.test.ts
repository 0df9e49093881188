import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileBlobStore } from './file-blob-store.js';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('FileBlobStore with a backfill', () => {
  it('writes a blob the backfill holds when first asked for, once, and serves it after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anygrid-blobs-'));
    const kept = Buffer.from('a 1\nb 2\n');
    const asked: string[] = [];
    const blobs = new FileBlobStore(dir, async (hash) => {
      asked.push(hash);
      return hash === sha(kept) ? kept : null;
    });
    await blobs.init();
    expect(await blobs.size(sha(kept))).toBe(kept.byteLength);
    expect(existsSync(join(dir, sha(kept).slice(0, 2), sha(kept)))).toBe(true);
    expect(await blobs.read(sha(kept))).toEqual(kept);
    // Absent everywhere: null, and the backfill was asked.
    const other = sha(Buffer.from('nothing'));
    expect(await blobs.size(other)).toBeNull();
    expect(await blobs.read(other)).toBeNull();
    // Written once: later reads come from the file, uploads find it there.
    expect(asked.filter((h) => h === sha(kept))).toHaveLength(1);
    expect(await blobs.put(sha(kept), kept)).toEqual({ created: false });
  });
});
