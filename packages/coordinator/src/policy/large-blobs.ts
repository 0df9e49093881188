/**
 * @module
 * Which of a task's blobs are large enough to schedule for: its module and inputs (stdin
 * and files) of at least `LOCALITY_BLOB_BYTES`, each hash once, in hash order so tasks
 * needing the same blobs share one group in the ready queue. Most tasks have none, and
 * for them this is a loop over an empty record. Pure.
 */

import { type BlobRef, LOCALITY_BLOB_BYTES } from '@anygrid/protocol';
import type { LargeBlob } from './ready-queue.js';

/** What of a task's inputs this needs. */
export interface TaskBlobs {
  readonly stdin?: BlobRef | null;
  readonly files?: Readonly<Record<string, BlobRef>>;
}

/** The task's large blobs, or undefined when it has none. */
export function largeBlobs(module: BlobRef, task: TaskBlobs): LargeBlob[] | undefined {
  let out = add(undefined, module);
  out = add(out, task.stdin);
  if (task.files) for (const name in task.files) out = add(out, task.files[name]);
  return out?.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
}

function add(
  out: LargeBlob[] | undefined,
  ref: BlobRef | null | undefined,
): LargeBlob[] | undefined {
  if (!ref || ref.size < LOCALITY_BLOB_BYTES) return out;
  if (!out) return [{ hash: ref.hash, size: ref.size }];
  if (!out.some((b) => b.hash === ref.hash)) out.push({ hash: ref.hash, size: ref.size });
  return out;
}

/**
 * The large blobs of a list `hash:size,hash:size` as the store's SQL writes it, plus the
 * module's when large; undefined when none.
 */
export function largeBlobsFromList(
  module: BlobRef,
  list: string | null | undefined,
): LargeBlob[] | undefined {
  const files: Record<string, BlobRef> = {};
  if (list) {
    for (const [i, item] of list.split(',').entries()) {
      const [hash = '', size = '0'] = item.split(':');
      files[i] = { hash, size: Number(size) };
    }
  }
  return largeBlobs(module, { files });
}
