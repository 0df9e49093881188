import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskCache } from './disk-cache.js';

const logger = pino({ level: 'silent' });
const h = (c: string) => c.repeat(64);

let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  dirs = [];
});
async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'anygrid-disk-'));
  dirs.push(dir);
  return dir;
}

describe('DiskCache', () => {
  it('stores blobs by hash and reads them back', async () => {
    const dir = await tempDir();
    const cache = new DiskCache(dir, 1000, logger);
    await cache.write(h('a'), new Uint8Array([1, 2, 3]));
    expect(await cache.read(h('a'))).toEqual(new Uint8Array([1, 2, 3]));
    expect(await cache.read(h('b'))).toBeUndefined();
    expect(await readdir(dir)).toEqual([h('a')]);
  });

  it('deletes the least recently used files to stay within its bound', async () => {
    const dir = await tempDir();
    const cache = new DiskCache(dir, 100, logger);
    await cache.write(h('a'), new Uint8Array(40));
    await cache.write(h('b'), new Uint8Array(40));
    await cache.read(h('a'));
    await cache.write(h('c'), new Uint8Array(40));
    await new Promise((r) => setTimeout(r, 20));
    expect((await readdir(dir)).sort()).toEqual([h('a'), h('c')]);
    expect(await cache.bytes()).toBe(80);
  });

  it('never stores a blob larger than the whole bound', async () => {
    const dir = await tempDir();
    const cache = new DiskCache(dir, 10, logger);
    await cache.write(h('a'), new Uint8Array(11));
    expect(await readdir(dir)).toEqual([]);
  });

  it('indexes what an earlier run left, oldest first, and removes half-written files', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, h('a')), new Uint8Array(40));
    await writeFile(join(dir, h('b')), new Uint8Array(40));
    await writeFile(join(dir, `.${h('c')}.123.tmp`), new Uint8Array(5));
    await utimes(join(dir, h('a')), new Date(2_000_000_000_000), new Date(2_000_000_000_000));
    await utimes(join(dir, h('b')), new Date(1_000_000_000_000), new Date(1_000_000_000_000));
    const cache = new DiskCache(dir, 100, logger);
    expect(await cache.bytes()).toBe(80);
    await cache.write(h('d'), new Uint8Array(40));
    await new Promise((r) => setTimeout(r, 20));
    expect((await readdir(dir)).sort()).toEqual([h('a'), h('d')]);
  });
});
