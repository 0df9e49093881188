/**
 * @module
 * Blobs as files under `DIR/blobs/ab/abcdef…`. A blob is written to a temporary file
 * and renamed into place, so a crash never leaves a partial blob under a valid name;
 * sizes of known blobs are cached since the scheduler asks for them often. Blobs are
 * requesters' modules, inputs and outputs: files are mode 600 and folders 700.
 *
 * Deletion (for the janitor) is guarded in memory: a blob held by a request, or being
 * deleted, is never half-used. This holds within one coordinator process. Several
 * coordinators may share one folder (docs/scale-out.md): two writing one blob at once each
 * rename their own complete temporary file into place, a coordinator starting clears only
 * temporary files too old to be anyone's write under way, and a blob the leader's janitor
 * deleted (unused by any job, past its grace period) is written again by the next upload
 * of it, whatever another process's size cache still said.
 */

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { HashMismatchError } from '@anygrid/protocol';
import { type BlobStore, type StoredBlob, WHOLE_BLOB_BYTES } from './blob-store.js';

/** Mode of a blob file: the coordinator's user alone reads it. */
const FILE_MODE = 0o600;
/** Mode of the blob folders. */
const DIR_MODE = 0o700;
const SHA256_HEX = /^[0-9a-f]{64}$/;
/** A temporary blob file untouched this long is a crash's leftover, not a write under way. */
const TMP_STALE_MS = 10 * 60_000;

/**
 * Bytes kept elsewhere that become blobs when first asked for: the store keeps a task
 * graph's inline outputs that became a child's inputs (its transaction cannot write
 * files), and agents fetch them here by hash like any other input.
 */
export type BlobBackfill = (hash: string) => Promise<Uint8Array | null>;

export class FileBlobStore implements BlobStore {
  private readonly sizes = new Map<string, number>();
  /** Blobs requests are using, with how many hold each. */
  private readonly held = new Map<string, number>();
  /** Blobs being deleted: done when the deletion is settled either way. */
  private readonly removing = new Map<string, Promise<unknown>>();

  constructor(
    private readonly dir: string,
    private readonly backfill?: BlobBackfill,
  ) {}

  private path(hash: string): string {
    return join(this.dir, hash.slice(0, 2), hash);
  }

  async size(hash: string): Promise<number | null> {
    if (this.removing.has(hash)) return null;
    const cached = this.sizes.get(hash);
    if (cached !== undefined) return cached;
    const size = await this.stored(hash);
    if (size !== null || this.backfill === undefined) return size;
    return this.fill(hash);
  }

  /** Size of the blob's file, or null when there is none. */
  private async stored(hash: string): Promise<number | null> {
    const cached = this.sizes.get(hash);
    if (cached !== undefined) return cached;
    try {
      const s = await stat(this.path(hash));
      this.sizes.set(hash, s.size);
      return s.size;
    } catch {
      return null;
    }
  }

  /** Writes a missing blob from the backfill, if it has it; its size, or null. */
  private async fill(hash: string): Promise<number | null> {
    const bytes = await this.backfill?.(hash);
    if (!bytes) return null;
    await this.put(hash, bytes);
    return bytes.byteLength;
  }

  async put(expectedHash: string, bytes: Uint8Array): Promise<{ created: boolean }> {
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== expectedHash) throw new HashMismatchError(expectedHash, actual);
    await this.removing.get(actual);
    if ((await this.stored(actual)) !== null) {
      // Known bytes sent again are about to be used: their grace period starts anew.
      const now = new Date();
      const touched = await utimes(this.path(actual), now, now).then(
        () => true,
        () => false,
      );
      if (touched) return { created: false };
      // Gone from under the cache: another coordinator's janitor deleted it.
      this.sizes.delete(actual);
    }
    const final = this.path(actual);
    await mkdir(join(this.dir, actual.slice(0, 2)), { recursive: true, mode: DIR_MODE });
    const tmp = join(this.dir, `.tmp-${randomBytes(8).toString('hex')}`);
    try {
      await writeFile(tmp, bytes, { mode: FILE_MODE });
      await rename(tmp, final);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    this.sizes.set(actual, bytes.byteLength);
    return { created: true };
  }

  async open(hash: string, range?: { start: number; end: number }): Promise<Readable | null> {
    if ((await this.size(hash)) === null) return null;
    return createReadStream(this.path(hash), range);
  }

  async read(hash: string): Promise<Buffer | null> {
    const size = await this.size(hash);
    if (size === null) return null;
    // A small blob is read at once (~50 µs from the page cache): the asynchronous read
    // takes four turns of the event loop (open, stat, read, close), and while a large job
    // is being written each turn waits behind a chunk of it — providers waited ~270 ms
    // for a 15 KB module.
    try {
      if (size <= WHOLE_BLOB_BYTES) return readFileSync(this.path(hash));
      return await readFile(this.path(hash));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.sizes.delete(hash);
      return null;
    }
  }

  hold(hashes: Iterable<string>): () => void {
    const list = [...hashes];
    for (const h of list) this.held.set(h, (this.held.get(h) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const h of list) {
        const n = (this.held.get(h) ?? 1) - 1;
        if (n > 0) this.held.set(h, n);
        else this.held.delete(h);
      }
    };
  }

  /**
   * Synchronous on purpose: a directory read and a stat of a local folder take
   * microseconds, while each awaited one waits a whole turn of the event loop, which under
   * load lasts tens of milliseconds: walking 256 shards that way took a janitor sweep
   * most of a minute. The janitor bounds how many files one sweep lists.
   */
  async list(shard: number): Promise<StoredBlob[]> {
    const sub = join(this.dir, shard.toString(16).padStart(2, '0'));
    let names: string[];
    try {
      names = readdirSync(sub);
    } catch {
      return [];
    }
    const blobs: StoredBlob[] = [];
    for (const name of names) {
      if (!SHA256_HEX.test(name)) continue;
      const s = statSync(join(sub, name), { throwIfNoEntry: false });
      if (s) blobs.push({ hash: name, size: s.size, writtenAt: s.mtimeMs });
    }
    return blobs;
  }

  async remove(hash: string, unused: () => Promise<boolean>): Promise<boolean> {
    if (this.held.has(hash) || this.removing.has(hash)) return false;
    const deletion = (async () => {
      if (!(await unused()) || this.held.has(hash)) return false;
      await rm(this.path(hash), { force: true });
      this.sizes.delete(hash);
      return true;
    })();
    this.removing.set(hash, deletion);
    try {
      return await deletion;
    } finally {
      this.removing.delete(hash);
    }
  }

  /**
   * Creates the directory and clears temporary files a crash left: those older than
   * `TMP_STALE_MS`, since another coordinator sharing the folder may be writing the others.
   */
  async init(now = Date.now()): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: DIR_MODE });
    const leftovers = (await readdir(this.dir)).filter((name) => name.startsWith('.tmp-'));
    await Promise.all(
      leftovers.map(async (name) => {
        const path = join(this.dir, name);
        const s = await stat(path).catch(() => null);
        if (s && now - s.mtimeMs >= TMP_STALE_MS) await rm(path, { force: true });
      }),
    );
  }
}
