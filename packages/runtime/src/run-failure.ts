/**
 * @module How a run ends before or without its guest's say: a failed result with no
 * output (the pool stopping a worker at the wall-time limit or when it dies,
 * worker-pool.ts; a module that cannot start, run-module.ts), and the error a run
 * rejects with when its signal aborts. Apart from both because they are answers the
 * caller sees, not the pool's or the run's state.
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
