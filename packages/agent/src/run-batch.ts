/**
 * @module
 * Runs handed to the sandbox together, sharing one abort signal. An `AbortController`
 * costs ~2.5 µs to create and a listener on a fresh signal ~1.5 µs more, more than a
 * trivial run costs the agent otherwise; runs handed over in one tick share one instead.
 * The sandbox aborts every unfinished run of a signal at once, so the batch is aborted
 * only when none of its unfinished runs is wanted any more: a run stopped alone (a
 * cancelled replica) is left to finish and its result discarded. Runs are handed over
 * in numbers only while tasks are short, and one per slot when they are long, so a
 * long run stopped alone is still ended at once.
 */

import { setMaxListeners } from 'node:events';

/** One batch of runs: counts who still waits for a result, and aborts when nobody does. */
export class RunBatch {
  /** When the runs were handed over (performance.now()). */
  readonly startedAt = performance.now();
  private readonly controller = new AbortController();
  /** What each run of the batch is given: one object for all of them. */
  readonly runOptions = { signal: this.controller.signal };
  /** Unfinished runs whose result is wanted. */
  private wanted = 0;
  /** Unfinished runs that were stopped. */
  private unwanted = 0;

  constructor() {
    // One listener per run is expected, not a leak.
    setMaxListeners(0, this.controller.signal);
  }

  /** Aborted once every unfinished run of the batch was stopped. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** A run joins the batch. */
  add(): void {
    this.wanted += 1;
  }

  /** A run of the batch ended; `stopped` when it had been stopped before. */
  ended(stopped: boolean): void {
    if (stopped) this.unwanted -= 1;
    else this.wanted -= 1;
    this.abortIfUnwanted();
  }

  /** A run of the batch is no longer wanted; the batch aborts when none is. */
  stop(): void {
    this.wanted -= 1;
    this.unwanted += 1;
    this.abortIfUnwanted();
  }

  private abortIfUnwanted(): void {
    if (this.wanted === 0 && this.unwanted > 0 && !this.controller.signal.aborted) {
      this.controller.abort();
    }
  }
}
