/**
 * @module How the worker pool (worker-pool.ts) ends a run itself rather than the guest:
 * a failed result when it stops a worker (the wall-time limit, a dead worker), and the
 * error a run rejects with when its signal aborts. Apart from the pool because both are
 * answers the caller sees, not pool state.
 */
import type { RunFailureCode, RunResult } from './run-spec.js';

/** A result with no output, failed with `code`. */
export function failed(code: RunFailureCode, message: string, durationMs: number): RunResult {
  return {
    exitCode: null,
    stdout: new Uint8Array(0),
    stderr: new Uint8Array(0),
    dirs: {},
    failure: { code, message },
    durationMs,
  };
}

/** The signal's reason when it is an error, else an `AbortError`. */
export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new DOMException('run aborted', 'AbortError');
}
