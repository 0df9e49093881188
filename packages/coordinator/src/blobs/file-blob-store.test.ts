import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
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

const bytes = Buffer.from('some blob\n');
const hash = createHash('sha256').update(bytes).digest('hex');

async function storeWithBlob(): Promise<FileBlobStore> {
  const blobs = new FileBlobStore(join(mkdtempSync(join(tmpdir(), 'anygrid-blobs-')), 'blobs'));
  await blobs.init();
  await blobs.put(hash, bytes);
  return blobs;
}

describe('file blob store deletion', () => {
  it('lists a stored blob in its shard with its size and write time', async () => {
    const blobs = await storeWithBlob();
    const [listed] = await blobs.list(Number.parseInt(hash.slice(0, 2), 16));
    expect(listed).toMatchObject({ hash, size: bytes.byteLength });
    expect(Math.abs((listed?.writtenAt ?? 0) - Date.now())).toBeLessThan(60_000);
    expect(await blobs.list((Number.parseInt(hash.slice(0, 2), 16) + 1) % 256)).toEqual([]);
  });

  it('never deletes a blob a request holds, and deletes it once released', async () => {
    const blobs = await storeWithBlob();
    const release = blobs.hold([hash]);
    expect(await blobs.remove(hash, async () => true)).toBe(false);
    expect(await blobs.size(hash)).toBe(bytes.byteLength);
    release();
    expect(await blobs.remove(hash, async () => true)).toBe(true);
    expect(await blobs.size(hash)).toBeNull();
    expect(await blobs.read(hash)).toBeNull();
  });

  it('keeps a blob the store says is used', async () => {
    const blobs = await storeWithBlob();
    expect(await blobs.remove(hash, async () => false)).toBe(false);
    expect((await blobs.read(hash))?.toString()).toBe('some blob\n');
  });

  it('reads a blob as absent while its deletion is decided, and an upload of it waits', async () => {
    const blobs = await storeWithBlob();
    let decide: (unused: boolean) => void = () => undefined;
    const removal = blobs.remove(hash, () => new Promise<boolean>((r) => (decide = r)));
    await new Promise((r) => setImmediate(r));
    expect(await blobs.size(hash)).toBeNull();
    const upload = blobs.put(hash, bytes);
    decide(true);
    expect(await removal).toBe(true);
    // The upload came after the deletion: the blob is there again, written anew.
    expect(await upload).toEqual({ created: true });
    expect(await blobs.size(hash)).toBe(bytes.byteLength);
  });
});

describe('FileBlobStore shared by several coordinators', () => {
  it('takes one blob written through two stores at once, whole', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'anygrid-blobs-')), 'blobs');
    const a = new FileBlobStore(dir);
    const b = new FileBlobStore(dir);
    await a.init();
    await b.init();
    const big = Buffer.alloc(4 << 20, 7);
    const h = sha(big);
    const results = await Promise.all([a.put(h, big), b.put(h, big), a.put(h, big)]);
    expect(results.some((r) => r.created)).toBe(true);
    expect(sha((await b.read(h)) as Buffer)).toBe(h);
    expect(sha((await a.read(h)) as Buffer)).toBe(h);
    // No temporary file is left behind.
    expect(readdirSync(dir).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });

  it('writes again a blob another store deleted, though its own cache knew it', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'anygrid-blobs-')), 'blobs');
    const a = new FileBlobStore(dir);
    const b = new FileBlobStore(dir);
    await a.init();
    await b.init();
    await a.put(hash, bytes);
    expect(await b.size(hash)).toBe(bytes.byteLength);
    expect(await a.remove(hash, async () => true)).toBe(true);
    expect(await b.read(hash)).toBeNull();
    expect(await b.put(hash, bytes)).toEqual({ created: true });
    expect(await a.read(hash)).toEqual(bytes);
  });

  it('clears at start only temporary files too old to be a write under way', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'anygrid-blobs-')), 'blobs');
    await new FileBlobStore(dir).init();
    writeFileSync(join(dir, '.tmp-old'), 'x');
    writeFileSync(join(dir, '.tmp-fresh'), 'x');
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(join(dir, '.tmp-old'), hourAgo, hourAgo);
    await new FileBlobStore(dir).init();
    expect(readdirSync(dir).filter((n) => n.startsWith('.tmp-'))).toEqual(['.tmp-fresh']);
  });
});
