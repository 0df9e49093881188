/**
 * @module
 * Blobs as files under `DIR/blobs/ab/abcdef…`. A blob is written to a temporary file
 * and renamed into place, so a crash never leaves a partial blob under a valid name;
 * sizes of known blobs are cached since the scheduler asks for them often. Blobs are
 * requesters' modules, inputs and outputs: files are mode 600 and folders 700.
 */

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { HashMismatchError } from '@anygrid/protocol';
import { type BlobStore, WHOLE_BLOB_BYTES } from './blob-store.js';

/** Mode of a blob file: the coordinator's user alone reads it. */
const FILE_MODE = 0o600;
/** Mode of the blob folders. */
const DIR_MODE = 0o700;

/**
 * Bytes kept elsewhere that become blobs when first asked for: the store keeps a task
 * graph's inline outputs that became a child's inputs (its transaction cannot write
 * files), and agents fetch them here by hash like any other input.
 */
export type BlobBackfill = (hash: string) => Promise<Uint8Array | null>;

export class FileBlobStore implements BlobStore {
  private readonly sizes = new Map<string, number>();

  constructor(
    private readonly dir: string,
    private readonly backfill?: BlobBackfill,
  ) {}

  private path(hash: string): string {
    return join(this.dir, hash.slice(0, 2), hash);
  }

  async size(hash: string): Promise<number | null> {
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
    if ((await this.stored(actual)) !== null) return { created: false };
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
    if (size <= WHOLE_BLOB_BYTES) return readFileSync(this.path(hash));
    return readFile(this.path(hash));
  }

  /** Creates the directory and clears temporary files a crash may have left. */
  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: DIR_MODE });
    const leftovers = (await readdir(this.dir)).filter((name) => name.startsWith('.tmp-'));
    await Promise.all(leftovers.map((name) => rm(join(this.dir, name), { force: true })));
  }
}
