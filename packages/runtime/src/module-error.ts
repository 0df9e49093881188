/**
 * @module The one error a sandbox throws to its host: a module it refuses to compile.
 *
 * Guest misbehaviour at run time never throws — it comes back as `RunResult.failure`.
 * Compiling is different: bytes that are not WebAssembly (`invalid_module`) or a module
 * whose initial memory is already above the cap (`memory_limit`) cannot produce a
 * module to run, so `compile()` and `capMemory()` throw this, carrying the same stable
 * code a run failure would.
 */
import type { RunFailureCode } from './run-spec.js';

/** Thrown by `capMemory` and `compile` for bytes that cannot become a runnable module. */
export class ModuleError extends Error {
  /** `invalid_module` for malformed bytes, `memory_limit` when the module needs more memory than the cap. */
  readonly code: Extract<RunFailureCode, 'invalid_module' | 'memory_limit'>;

  constructor(code: Extract<RunFailureCode, 'invalid_module' | 'memory_limit'>, message: string) {
    super(message);
    this.name = 'ModuleError';
    this.code = code;
  }
}
