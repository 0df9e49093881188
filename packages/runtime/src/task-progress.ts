/**
 * @module Which task a worker is running, and since when, in shared memory: the
 * worker writes it as each task starts, the host's watchdog reads it without a message.
 *
 * This is what lets a worker run a batch of tasks and report their results together:
 * the host need not see each result to know when the next task started, so it can
 * still time every task on its own and name the one that overran. Where shared memory
 * is unavailable (a browser page that is not cross-origin isolated), `createProgress`
 * returns undefined and the worker reports every result at once, as the watchdog then
 * needs.
 */

/** Layout: a Float64 start time (epoch ms) at byte 0, then an Int32 task id at byte 8 (0: none). */
const BYTES = 16;

/** Milliseconds since the epoch with sub-millisecond precision, comparable across threads. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** The shared cell, as both sides see it. */
export class TaskProgress {
  private readonly startedAt: Float64Array;
  private readonly running: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.startedAt = new Float64Array(buffer, 0, 1);
    this.running = new Int32Array(buffer, 8, 1);
  }

  /** Worker: task `id` starts now. The time is written first, so a reader that sees the id never sees an older time (at worst a newer one, which only delays its verdict). */
  start(id: number): void {
    this.startedAt[0] = epochNow();
    Atomics.store(this.running, 0, id);
  }

  /** Worker: no task is running. */
  idle(): void {
    Atomics.store(this.running, 0, 0);
  }

  /** Host: the running task's id (0 for none) and start time. */
  read(): { readonly id: number; readonly startedAt: number } {
    const id = Atomics.load(this.running, 0);
    return { id, startedAt: this.startedAt[0] as number };
  }
}

/** A fresh progress cell, or undefined where shared memory is unavailable. */
export function createProgress(): TaskProgress | undefined {
  if (typeof SharedArrayBuffer !== 'function') return undefined;
  try {
    return new TaskProgress(new SharedArrayBuffer(BYTES));
  } catch {
    return undefined;
  }
}
