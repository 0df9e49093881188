/**
 * @module
 * The on-disk half of the blob cache: one file per blob, named by its hash, in a
 * directory bounded by total bytes. Least recently used files are deleted to make room
 * (a volunteer's disk is lent, not given); at start the directory is indexed with the
 * oldest files first, and temporary files a crash left behind are removed. Files are
 * written aside and renamed, so a name always holds a whole file. A download that broke
 * off may leave its first bytes as `HASH.part`, to be resumed; such files older than a
 * day are removed at start. This module does not check contents: the blob cache verifies
 * every byte it reads back.
 */

import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ByteLru } from './byte-lru.js';

const HASH_NAME = /^[0-9a-f]{64}$/;
const PARTIAL_NAME = /^[0-9a-f]{64}\.part$/;

/** A partial download older than this is not worth resuming: deleted when the directory is indexed. */
export const PARTIAL_MAX_AGE_MS = 24 * 3600_000;

/** A size-bounded directory of blobs by hash. */
export class DiskCache {
  private index: Promise<ByteLru<string, number>> | undefined;
  /** The index once loaded, for synchronous looks. */
  private loaded: ByteLru<string, number> | undefined;

  constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    private readonly logger: Logger,
    /** Told whenever a blob is stored, evicted or removed. */
    private readonly onChange?: () => void,
  ) {}

  /** Calls `fn` with each stored hash and size, if the directory has been indexed yet. */
  forEach(fn: (hash: string, size: number) => void): void {
    this.loaded?.forEach(fn);
  }

  /** The stored bytes of `hash`, or undefined when not stored (or unreadable). */
  async read(hash: string): Promise<Uint8Array | undefined> {
    const index = await this.load();
    if (index.get(hash) === undefined) return undefined;
    try {
      return new Uint8Array(await readFile(join(this.dir, hash)));
    } catch {
      index.delete(hash);
      return undefined;
    }
  }

  /** Stores `bytes` under `hash`, evicting older blobs beyond the bound; failures are logged. */
  async write(hash: string, bytes: Uint8Array): Promise<void> {
    try {
      const index = await this.load();
      if (index.has(hash) || bytes.byteLength > this.maxBytes) return;
      const temp = join(this.dir, `.${hash}.${process.pid}.${Math.random().toString(36).slice(2)}`);
      // Modules and inputs are the requesters' data: readable by the provider alone.
      await writeFile(temp, bytes, { mode: 0o600 });
      await rename(temp, join(this.dir, hash));
      index.set(hash, bytes.byteLength);
      this.onChange?.();
    } catch (error) {
      this.logger.warn({ hash, err: error }, 'could not write to the blob cache directory');
    }
  }

  /**
   * Keeps the first bytes of a download that broke off (`HASH.part`), to resume it
   * later. Outside the byte bound: there is one per blob being fetched, and old ones
   * go when the directory is indexed. Failures are logged.
   */
  async writePartial(hash: string, bytes: Uint8Array): Promise<void> {
    try {
      await this.load();
      const temp = join(this.dir, `.${hash}.part.${process.pid}`);
      await writeFile(temp, bytes, { mode: 0o600 });
      await rename(temp, join(this.dir, `${hash}.part`));
    } catch (error) {
      this.logger.warn({ hash, err: error }, 'could not keep a partial download');
    }
  }

  /**
   * Reads a kept partial download of `hash` into the start of `into`; resolves with the
   * bytes read (0 when there is none, or it is longer than the blob and so not its start).
   */
  async readPartial(hash: string, into: Uint8Array): Promise<number> {
    try {
      await this.load();
      const bytes = await readFile(join(this.dir, `${hash}.part`));
      if (bytes.byteLength >= into.byteLength) {
        await this.removePartial(hash);
        return 0;
      }
      into.set(bytes);
      return bytes.byteLength;
    } catch {
      return 0;
    }
  }

  async removePartial(hash: string): Promise<void> {
    await rm(join(this.dir, `${hash}.part`), { force: true }).catch(() => {});
  }

  /** Forgets a blob, e.g. one that failed verification. */
  async remove(hash: string): Promise<void> {
    (await this.load()).delete(hash);
    this.onChange?.();
    await rm(join(this.dir, hash), { force: true }).catch(() => {});
  }

  /** Bytes stored now. */
  async bytes(): Promise<number> {
    return (await this.load()).bytes;
  }

  private load(): Promise<ByteLru<string, number>> {
    this.index ??= this.scan();
    return this.index;
  }

  private async scan(): Promise<ByteLru<string, number>> {
    const index = new ByteLru<string, number>(
      this.maxBytes,
      (size) => size,
      (hash) => {
        this.onChange?.();
        void rm(join(this.dir, hash), { force: true }).catch(() => {});
      },
    );
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const found: Array<{ hash: string; size: number; mtime: number }> = [];
      for (const name of await readdir(this.dir)) {
        const path = join(this.dir, name);
        if (name.startsWith('.')) {
          await rm(path, { force: true });
          continue;
        }
        if (PARTIAL_NAME.test(name)) {
          const info = await stat(path);
          if (info.mtimeMs < Date.now() - PARTIAL_MAX_AGE_MS) await rm(path, { force: true });
          continue;
        }
        if (!HASH_NAME.test(name)) continue;
        const info = await stat(path);
        if (info.isFile()) found.push({ hash: name, size: info.size, mtime: info.mtimeMs });
      }
      found.sort((a, b) => a.mtime - b.mtime);
      for (const f of found) index.set(f.hash, f.size);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not index the blob cache directory');
    }
    this.loaded = index;
    return index;
  }
}
