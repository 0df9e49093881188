/**
 * @module
 * Uploading content-addressed blobs only when the coordinator lacks them: hash, `HEAD`,
 * then `PUT` on a 404. Identical bytes are hashed-and-checked once per submit, and a
 * small pool bounds the requests in flight, so a job of 100 000 tasks does not open
 * 100 000 connections. Job creation itself is not retried: `POST /v1/jobs` has no
 * idempotency key, so a retry after a lost answer could create the job twice.
 */

import type { BlobRef } from '@anygrid/protocol';
import { sha256Hex } from './content-hash.js';
import { CoordinatorUnreachableError } from './coordinator-unreachable-error.js';
import type { HttpClient } from './http-client.js';
import { Backoff } from './retry.js';

/** Uploads blobs for one submit, deduplicating by hash. */
export class BlobUploader {
  private readonly known = new Map<string, Promise<BlobRef>>();
  private active = 0;
  private readonly queue: (() => void)[] = [];
  /** Bytes actually sent (blobs the coordinator lacked). */
  uploadedBytes = 0;
  /** Blobs actually sent. */
  uploadedBlobs = 0;

  constructor(
    private readonly http: HttpClient,
    private readonly concurrency = 8,
    private readonly signal?: AbortSignal,
    /** Hashes this client saw the coordinator hold: asked about once per client, not per submit. */
    private readonly present: Set<string> = new Set(),
  ) {}

  /** Makes sure the coordinator holds `bytes` and returns its reference. */
  async ensure(bytes: Uint8Array): Promise<BlobRef> {
    const hash = await sha256Hex(bytes);
    let pending = this.known.get(hash);
    if (!pending) {
      pending = this.limited(() => this.upload(hash, bytes));
      this.known.set(hash, pending);
    }
    return pending;
  }

  /**
   * HEAD and PUT are idempotent, so a blip (or a coordinator restart) is retried — once
   * the coordinator has answered this client: a coordinator never reached (a wrong
   * address, none started) is said at once rather than after 30 s of retries.
   */
  private async upload(hash: string, bytes: Uint8Array): Promise<BlobRef> {
    const backoff = new Backoff({ maxElapsedMs: 30_000 });
    for (;;) {
      try {
        return await this.uploadOnce(hash, bytes);
      } catch (err) {
        if (err instanceof CoordinatorUnreachableError && !this.http.answered) throw err;
        await backoff.wait(err, this.signal);
      }
    }
  }

  private async uploadOnce(hash: string, bytes: Uint8Array): Promise<BlobRef> {
    if (this.present.has(hash)) return { hash, size: bytes.byteLength };
    const path = `/v1/blobs/${hash}`;
    const head = await this.http.send({ method: 'HEAD', path, signal: this.signal }, [404]);
    if (head.status === 404) {
      await this.http.send({ method: 'PUT', path, bytes, signal: this.signal });
      this.uploadedBytes += bytes.byteLength;
      this.uploadedBlobs++;
    }
    this.present.add(hash);
    return { hash, size: bytes.byteLength };
  }

  private async limited<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) {
      await new Promise<void>((resolve) => this.queue.push(resolve));
    }
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}
