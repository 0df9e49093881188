/**
 * @module
 * The blob contract: content-addressed bytes (sha256), stored once however often they
 * are uploaded. Local files now; a shared directory or object store later.
 */

import type { Readable } from 'node:stream';

/**
 * Blobs up to this size (modules, inputs, small outputs) are read whole and at once;
 * larger ones are streamed.
 */
export const WHOLE_BLOB_BYTES = 1024 * 1024;

export interface BlobStore {
  /** Size of a stored blob, or null when absent. */
  size(hash: string): Promise<number | null>;
  /**
   * Stores bytes under their hash. Throws HashMismatchError when they hash otherwise.
   * Returns whether the blob was new.
   */
  put(expectedHash: string, bytes: Uint8Array): Promise<{ created: boolean }>;
  /** The blob as a stream (only bytes `start`…`end`, inclusive, when given), or null when absent. */
  open(hash: string, range?: { start: number; end: number }): Promise<Readable | null>;
  /** The whole blob (meant for blobs up to `WHOLE_BLOB_BYTES`), or null when absent. */
  read(hash: string): Promise<Buffer | null>;
  /**
   * Keeps these blobs from deletion until the returned function is called: a request
   * holds what it checked exists until the store has recorded its use of them.
   */
  hold(hashes: Iterable<string>): () => void;
  /**
   * Stored blobs whose names fall in one of `SHARD_COUNT` shards (by their first two hex
   * digits), with when each was last written: the janitor walks the store a shard at a time.
   */
  list(shard: number): Promise<StoredBlob[]>;
  /**
   * Deletes a blob unless it is held or `unused()` answers false. While the check runs the
   * blob reads as absent (a request naming it is refused as BLOB_MISSING, and an upload of
   * it waits), so no use can slip in between the check and the deletion. Returns whether
   * it was deleted.
   */
  remove(hash: string, unused: () => Promise<boolean>): Promise<boolean>;
}

/** Blob shards: the first two hex digits of the hash. */
export const SHARD_COUNT = 256;

/** A stored blob as `list` sees it. */
export interface StoredBlob {
  readonly hash: string;
  readonly size: number;
  /** When it was last uploaded (an upload of known bytes counts: it is about to be used). */
  readonly writtenAt: number;
}
