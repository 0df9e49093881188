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
  'internal',
]);
export type FailureCode = z.infer<typeof FailureCode>;
