/**
 * @module
 * The bytes of a reported output, for comparators that look inside outputs: inline
 * outputs are in the report, larger ones in the blob store (checked by size and hash when
 * the report came in). Only jobs with a non-exact comparator ever read them.
 */

import type { OutputRef } from '@anygrid/protocol';
import type { BlobStore } from '../blobs/blob-store.js';
import { ComparisonError } from './comparison-error.js';

/** Most output bytes one comparison reads, all candidates together. */
export const MAX_COMPARED_BYTES = 256 * 1024 * 1024;

/** The bytes of an output; null when the replica has no such output. */
export async function outputBytes(
  blobs: BlobStore,
  ref: OutputRef | null,
): Promise<Uint8Array | null> {
  if (ref === null) return null;
  if (ref.data !== undefined) return Buffer.from(ref.data, 'base64');
  const bytes = await blobs.read(ref.hash);
  if (bytes === null) throw new ComparisonError(`output blob ${ref.hash} is gone`);
  return bytes;
}

/** Throws unless outputs of these sizes may be read for one comparison. */
export function checkComparedSize(refs: ReadonlyArray<OutputRef | null>): void {
  const total = refs.reduce((n, ref) => n + (ref?.size ?? 0), 0);
  if (total > MAX_COMPARED_BYTES) {
    throw new ComparisonError(
      `outputs of ${total} bytes exceed the ${MAX_COMPARED_BYTES} a comparison may read`,
    );
  }
}
