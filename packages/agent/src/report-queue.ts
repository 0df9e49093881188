/**
 * @module
 * The agent's outbox of finished replicas. Reports wait here until the coordinator has
 * acknowledged them: a batch taken for sending stays in the queue (marked in flight)
 * until it is acknowledged or dropped, and goes back to the head of the line when the
 * send fails, so a report is never lost while the agent lives. Reports are idempotent
 * on the coordinator, so sending one twice is harmless; losing one is not.
 *
 * Batches are bounded by count and by an estimate of their encoded size, because
 * inline outputs can make a hundred reports weigh megabytes. Pure: sending, timers and
 * uploads are the flusher's.
 */

/** Anything queued must name the replica it reports on. */
export interface Queued {
  readonly replicaId: number;
}

/** Bounds of one batch. */
export interface BatchLimits {
  /** Reports per batch (the protocol allows up to 1000; smaller batches fail smaller). */
  readonly maxCount: number;
  /** Estimated encoded bytes per batch; one report larger than this still travels alone. */
  readonly maxBytes: number;
}

/** As many reports as the protocol allows: tiny tasks finish thousands a second. */
export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxCount: 1000, maxBytes: 4 * 1024 * 1024 };

/** Ordered, de-duplicated queue of reports with in-flight tracking. */
export class ReportQueue<T extends Queued> {
  /** Insertion order is send order; Map keeps it and makes lookups by replica id cheap. */
  private readonly items = new Map<number, T>();
  private readonly inFlight = new Set<number>();

  constructor(
    private readonly sizeOf: (item: T) => number,
    private readonly limits: BatchLimits = DEFAULT_BATCH_LIMITS,
  ) {}

  /** Reports waiting to be taken (not in flight). */
  get waiting(): number {
    return this.items.size - this.inFlight.size;
  }

  /** Reports not yet acknowledged, in flight or not. */
  get size(): number {
    return this.items.size;
  }

  /** True when enough reports wait to fill a batch, so there is no point lingering. */
  get full(): boolean {
    return this.waiting >= this.limits.maxCount;
  }

  /**
   * Queues a report. A replica runs once per host, so a second report for a replica
   * still queued is a bug upstream; it is ignored (returns false) rather than allowed to
   * race the first one's acknowledgement.
   */
  add(item: T): boolean {
    if (this.items.has(item.replicaId)) return false;
    this.items.set(item.replicaId, item);
    return true;
  }

  /**
   * Takes the oldest waiting reports as one batch and marks them in flight. The batch
   * holds at least one report when any waits, at most `maxCount` (and the limit's count)
   * and, after the first, no more than `maxBytes` in total. Returns [] when none waits.
   */
  take(maxCount: number = this.limits.maxCount): T[] {
    const count = Math.max(1, Math.min(maxCount, this.limits.maxCount));
    const batch: T[] = [];
    let bytes = 0;
    for (const item of this.items.values()) {
      if (batch.length >= count) break;
      if (this.inFlight.has(item.replicaId)) continue;
      const size = this.sizeOf(item);
      if (batch.length > 0 && bytes + size > this.limits.maxBytes) break;
      batch.push(item);
      bytes += size;
    }
    for (const item of batch) this.inFlight.add(item.replicaId);
    return batch;
  }

  /** Removes reports the coordinator acknowledged (or that must never be sent). */
  remove(replicaIds: Iterable<number>): void {
    for (const id of replicaIds) {
      this.items.delete(id);
      this.inFlight.delete(id);
    }
  }

  /** Returns a failed batch to waiting, at the head of the line where it was. */
  release(batch: readonly Queued[]): void {
    for (const item of batch) this.inFlight.delete(item.replicaId);
  }

  /** Whether a report for this replica is still unacknowledged. */
  has(replicaId: number): boolean {
    return this.items.has(replicaId);
  }

  /** Ids of every unacknowledged report. */
  ids(): number[] {
    return [...this.items.keys()];
  }
}
