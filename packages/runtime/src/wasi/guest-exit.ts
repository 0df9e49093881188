/**
 * @module Exceptions that unwind the guest's stack from inside a system call.
 *
 * `proc_exit` cannot return to the guest, and neither can a system call that finds a
 * limit exceeded; both throw through the WebAssembly frames to `runModule`, which tells
 * them apart from traps by their class.
 */
import type { RunFailureCode } from '../run-spec.js';

/** Thrown by `proc_exit`. */
export class ProcExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
    this.name = 'ProcExit';
  }
}

/** Thrown when the guest goes over a limit the runtime checks in system calls. */
export class LimitExceeded extends Error {
  constructor(
    readonly code: Extract<RunFailureCode, 'time_limit' | 'output_limit'>,
    message: string,
  ) {
    super(message);
    this.name = 'LimitExceeded';
  }
}
