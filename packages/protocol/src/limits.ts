/**
 * @module
 * Sandbox limits a job asks for and a provider enforces. Ranges are the coordinator's
 * to police: a job may not ask a volunteer for unbounded memory or time.
 */

import { z } from 'zod';
import { MAX_BLOB_BYTES } from './content.js';

export const RunLimitsSchema = z.strictObject({
  memoryBytes: z
    .number()
    .int()
    .min(1 << 20)
    .max(4 * 1024 ** 3),
  wallTimeMs: z
    .number()
    .int()
    .min(10)
    .max(24 * 3600_000),
  // Outputs travel as blobs, so no run may produce more than one blob can hold.
  outputBytes: z.number().int().min(0).max(MAX_BLOB_BYTES),
});
export type RunLimitsWire = z.infer<typeof RunLimitsSchema>;

export const DEFAULT_TASK_LIMITS: RunLimitsWire = {
  memoryBytes: 256 * 1024 * 1024,
  wallTimeMs: 60_000,
  outputBytes: 64 * 1024 * 1024,
};

/** Why a run failed; the runtime's codes plus the agent's own. */
export const FailureCode = z.enum([
  'time_limit',
  'memory_limit',
  'output_limit',
  'trap',
  'exit_code',
  'invalid_module',
  /** The run produced an output the protocol cannot carry (e.g. a file name outside RelativePath). */
  'invalid_output',
  'fetch_failed',
  /** The module's bytes do not hash to the address the job names: the agent would not run them. */
  'module_hash_mismatch',
  /** The job's module is unsigned, badly signed, or signed by a key this agent does not trust. */
  'module_signature_refused',
  'internal',
  /**
   * A native variant's program did what its sandbox forbids and was killed for it: a
   * network socket (docs/variants.md). Its host is not at fault, its program is.
   */
  'sandbox_violation',
  /**
   * Set by the coordinator, never by a provider: a task this one depends on ended without
   * a validated result (failed, no consensus), so this one never ran.
   */
  'parent_failed',
]);
export type FailureCode = z.infer<typeof FailureCode>;

/**
 * Failures that are not the reporting host's fault: the host refused to run what it was
 * sent (the module's bytes or signature did not check out). Such a replica is handed
 * back like an abandoned one — it counts neither against the task's `maxErrors` nor
 * against the host's reputation, and the task goes to another host — but the host is
 * not sent that task again. Anything that counts failures per host or per task must
 * leave these out.
 */
export const NOT_HOST_FAULT_CODES: ReadonlySet<FailureCode> = new Set<FailureCode>([
  'module_hash_mismatch',
  'module_signature_refused',
]);

/** Whether a failure with `code` is not the reporting host's fault (see `NOT_HOST_FAULT_CODES`). */
export function isNotHostFault(code: string | undefined): boolean {
  return code !== undefined && NOT_HOST_FAULT_CODES.has(code as FailureCode);
}
