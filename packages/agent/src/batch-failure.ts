/**
 * @module
 * What to do with a batch of reports the coordinator refused. A report batch is
 * all-or-nothing on the coordinator, so one bad report must not hold the others back
 * forever, and a transient failure must not cost any report:
 * - transient (down, 5xx): keep the batch and retry after a backoff;
 * - NOT_ASSIGNED: drop the named replicas (they are no longer ours) and resend the rest;
 * - credentials refused: keep everything and retry slowly — the operator can fix the
 *   token, and dropping would lose finished work;
 * - any other client error: split the batch to isolate the report at fault, and drop a
 *   single report the coordinator still refuses.
 * Pure: the flusher applies the verdict.
 */

import { AnygridError, ErrorCode } from '@anygrid/protocol';
import { isTransient } from './transient-error.js';

export type BatchVerdict =
  | { readonly action: 'retry'; readonly slow: boolean }
  | { readonly action: 'drop'; readonly replicaIds: readonly number[] }
  | { readonly action: 'split' };

/** The verdict on a failed `POST /v1/reports` of `batchIds`. */
export function judgeBatchFailure(error: unknown, batchIds: readonly number[]): BatchVerdict {
  if (isTransient(error) || !(error instanceof AnygridError)) {
    // Unknown failures (a bug, a body we could not parse) are retried: losing a report
    // is worse than resending it, and resending is idempotent.
    return { action: 'retry', slow: !isTransient(error) };
  }
  if (error.code === ErrorCode.UNAUTHENTICATED || error.code === ErrorCode.FORBIDDEN) {
    return { action: 'retry', slow: true };
  }
  if (error.code === ErrorCode.NOT_ASSIGNED) {
    const named = notAssignedIds(error.details);
    const inBatch = new Set(batchIds);
    const drop = named.filter((id) => inBatch.has(id));
    if (drop.length > 0) return { action: 'drop', replicaIds: drop };
  }
  if (batchIds.length > 1) return { action: 'split' };
  return { action: 'drop', replicaIds: [...batchIds] };
}

function notAssignedIds(details: unknown): number[] {
  const ids = (details as { replicaIds?: unknown } | null | undefined)?.replicaIds;
  if (!Array.isArray(ids)) return [];
  return ids.filter((id): id is number => Number.isInteger(id));
}
