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
}
