/**
 * @module
 * A deliberately dishonest provider, for acceptance tests of validation: it flips one
 * byte of a successful run's stdout (or invents one when stdout is empty), keeping
 * exit code and status, as a provider faking results would. The byte and position are
 * random per run, so two saboteurs do not agree with each other by accident — the case
 * replication is designed for. Never enabled outside tests.
 */

import { randomInt } from 'node:crypto';
import type { RunResult } from '@anygrid/runtime';

/** `result` with its stdout corrupted, when the run succeeded; unchanged otherwise. */
export function corruptResult(result: RunResult): RunResult {
  if (result.exitCode !== 0 || result.failure) return result;
  const stdout = new Uint8Array(result.stdout.byteLength === 0 ? 1 : result.stdout.byteLength);
  stdout.set(result.stdout);
  const at = randomInt(stdout.byteLength);
  stdout[at] = ((stdout[at] ?? 0) ^ randomInt(1, 256)) & 0xff;
  return { ...result, stdout };
}
