/**
 * @module
 * Modules and inputs by content address, fetched once per host. A blob is looked up in
 * memory (an LRU bounded by bytes), then in the optional cache directory, then fetched
 * from the coordinator; concurrent requests for the same hash share one fetch. Every
 * byte is checked against the reference's size and sha256 before anyone sees it,
 * whether it came from the network or from disk (a cache directory can rot).
 *
 * A download cut off midway resumes where it stopped (an HTTP Range request for the
 * rest): the bytes received so far are kept across the retries of one fetch, and in
 * the cache directory (`HASH.part`) across restarts of the agent; the whole is still
 * checked by size and sha256 at the end, so partial data is never trusted. The large blobs held (memory or disk) are what the agent reports to the
 * coordinator for data locality (blob-inventory.ts); `version` changes whenever they may
 * have.
 *
 * A coordinator that is briefly away is waited for (with backoff) until the caller
 * gives up through its signal; a blob that is missing is a `BlobFetchError`, which the
 * caller reports as `fetch_failed`, and one that keeps arriving corrupt a
 * `BlobCorruptError` (a module's is reported as `module_hash_mismatch`).
 */

import { type BlobRef, LOCALITY_BLOB_BYTES } from '@anygrid/protocol';
import type { Logger } from 'pino';
import { abortable, sleep } from './abortable.js';
import { Backoff, type BackoffPolicy, RECONNECT_BACKOFF } from './backoff.js';
import { ByteLru } from './byte-lru.js';
import { sha256Hex } from './content-hash.js';
import { BlobIntegrityError, type CoordinatorClient, PartialBlob } from './coordinator-client.js';
import { DiskCache } from './disk-cache.js';
import { isTransient } from './transient-error.js';

/** A blob that cannot be had: missing on the coordinator, or corrupt every time. */
export class BlobFetchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BlobFetchError';
  }
}

/** A blob whose bytes never hashed to its address, however often it was fetched. */
export class BlobCorruptError extends BlobFetchError {
  constructor(
    readonly hash: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BlobCorruptError';
  }
}

export interface BlobCacheOptions {
  readonly client: Pick<CoordinatorClient, 'getBlob'>;
  readonly logger: Logger;
  /** Bytes kept in memory. */
  readonly memoryBytes?: number;
  /** Directory of blobs named by hash; created when missing. */
  readonly dir?: string;
  /** Bound of the directory's total size; default 2 GiB. */
  readonly dirBytes?: number;
  /** Downloads tried before a blob whose bytes do not match is given up on. */
  readonly integrityAttempts?: number;
  /** Waits between tries; defaults to the agent's reconnect schedule. */
  readonly retryBackoff?: BackoffPolicy;
}

/** Fetch-once, verified store of blobs by hash. */
export class BlobCache {
  private readonly memory: ByteLru<string, Uint8Array>;
  private readonly inFlight = new Map<string, Promise<Uint8Array>>();
  /** Aborts shared fetches when the cache closes; no single caller may cancel them. */
  private readonly lifetime = new AbortController();
  private readonly disk: DiskCache | undefined;
  /** Network downloads done, for tests and stats. */
  downloads = 0;
  /** Downloads resumed after a broken connection, for tests and stats. */
  resumes = 0;
  /** Changes whenever the blobs held may have changed. */
  version = 0;
  /** Download speed measured on large blobs, bytes per second (a moving average). */
  bandwidth: number | undefined;

  constructor(private readonly options: BlobCacheOptions) {
    const changed = () => {
      this.version++;
    };
    this.memory = new ByteLru(
      options.memoryBytes ?? 512 * 1024 * 1024,
      (b) => b.byteLength,
      changed,
    );
    this.disk = options.dir
      ? new DiskCache(options.dir, options.dirBytes ?? 2 * 1024 ** 3, options.logger, changed)
      : undefined;
  }

  /** Indexes the cache directory, so that `largeHashes` sees what an earlier run left. */
  async open(): Promise<void> {
    await this.disk?.bytes();
  }

  /** Hashes of the large blobs (`LOCALITY_BLOB_BYTES` and up) held in memory or on disk. */
  largeHashes(): string[] {
    const out = new Set<string>();
    const add = (hash: string, size: number) => {
      if (size >= LOCALITY_BLOB_BYTES) out.add(hash);
    };
    this.memory.forEach(add);
    this.disk?.forEach(add);
    return [...out];
  }

  /** The bytes of `ref`, verified. Rejects with the signal's reason when it aborts first. */
  get(ref: BlobRef, signal?: AbortSignal): Promise<Uint8Array> {
    const cached = this.memory.get(ref.hash);
    if (cached) return Promise.resolve(checkSize(ref, cached));
    let shared = this.inFlight.get(ref.hash);
    if (!shared) {
      shared = this.load(ref).finally(() => this.inFlight.delete(ref.hash));
      this.inFlight.set(ref.hash, shared);
    }
    return abortable(shared, signal).then((bytes) => checkSize(ref, bytes));
  }

  /** The bytes of `ref` if they are in memory now and the right size, else undefined. */
  peek(ref: BlobRef): Uint8Array | undefined {
    const cached = this.memory.get(ref.hash);
    return cached?.byteLength === ref.size ? cached : undefined;
  }

  /** Stops fetches in progress. */
  close(): void {
    this.lifetime.abort();
  }

  private async load(ref: BlobRef): Promise<Uint8Array> {
    const bytes = (await this.readDisk(ref)) ?? (await this.download(ref));
    this.memory.set(ref.hash, bytes);
    this.version++;
    return bytes;
  }

  private async download(ref: BlobRef): Promise<Uint8Array> {
    const signal = this.lifetime.signal;
    const backoff = new Backoff(this.options.retryBackoff ?? RECONNECT_BACKOFF);
    const attempts = this.options.integrityAttempts ?? 3;
    let corrupt = 0;
    // Survives the retries below (and, in a cache directory, a restart of the agent): a
    // broken transfer goes on from its last byte.
    const partial = new PartialBlob(ref.size);
    partial.received = (await this.disk?.readPartial(ref.hash, partial.bytes)) ?? 0;
    let kept = partial.received;
    for (;;) {
      try {
        const resumed = partial.received > 0;
        const from = partial.received;
        const started = performance.now();
        const bytes = await this.options.client.getBlob(ref.hash, ref.size, signal, partial);
        if (resumed) this.resumes += 1;
        this.measure(ref.size - from, performance.now() - started);
        const actual = sha256Hex(bytes);
        if (actual !== ref.hash)
          throw new BlobIntegrityError(`Blob ${ref.hash} hashes to ${actual}.`);
        this.downloads += 1;
        await this.disk?.write(ref.hash, bytes);
        await this.disk?.removePartial(ref.hash);
        return bytes;
      } catch (error) {
        if (partial.received > kept && !(error instanceof BlobIntegrityError)) {
          await this.disk?.writePartial(ref.hash, partial.bytes.subarray(0, partial.received));
          kept = partial.received;
        }
        if (signal.aborted) throw error;
        if (error instanceof BlobIntegrityError) {
          // The whole is wrong and which part is unknown: none of it is kept.
          partial.reset();
          kept = 0;
          await this.disk?.removePartial(ref.hash);
          corrupt += 1;
          this.options.logger.warn({ hash: ref.hash, err: error, corrupt }, 'blob arrived corrupt');
          if (corrupt >= attempts) {
            throw new BlobCorruptError(ref.hash, error.message, { cause: error });
          }
        } else if (!isTransient(error)) {
          throw new BlobFetchError(
            `Blob ${ref.hash} could not be fetched: ${(error as Error).message}`,
            { cause: error },
          );
        }
        const delay = backoff.next();
        this.options.logger.debug({ hash: ref.hash, err: error, delay }, 'retrying blob fetch');
        await sleep(delay, signal);
      }
    }
  }

  /** Folds one transfer into the bandwidth estimate; small ones say more of latency than speed. */
  private measure(bytes: number, ms: number): void {
    if (bytes < LOCALITY_BLOB_BYTES || ms <= 0) return;
    const speed = (bytes * 1000) / ms;
    this.bandwidth = this.bandwidth === undefined ? speed : 0.7 * this.bandwidth + 0.3 * speed;
  }

  private async readDisk(ref: BlobRef): Promise<Uint8Array | undefined> {
    const bytes = await this.disk?.read(ref.hash);
    if (!bytes) return undefined;
    if (bytes.byteLength === ref.size && sha256Hex(bytes) === ref.hash) return bytes;
    this.options.logger.warn({ hash: ref.hash }, 'discarding a corrupt cached blob');
    await this.disk?.remove(ref.hash);
    return undefined;
  }
}

/** Two references to one hash must agree on its size; the coordinator's mistake otherwise. */
function checkSize(ref: BlobRef, bytes: Uint8Array): Uint8Array {
  if (bytes.byteLength === ref.size) return bytes;
  throw new BlobFetchError(`Blob ${ref.hash} is ${bytes.byteLength} bytes, not ${ref.size}.`);
}
