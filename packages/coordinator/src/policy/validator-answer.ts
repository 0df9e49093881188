/**
 * @module
 * Reads a validator module's answer. The module is the requester's code and its output
 * untrusted input: anything but exit code 0 and one JSON array of distinct candidate
 * indexes (1…n-1, those agreeing with candidate 0) on stdout is a failed validation.
 */

import { ValidatorAnswer } from '@anygrid/protocol';

/** Most bytes of stdout a validator's answer may take; a longer one is garbage. */
export const MAX_VALIDATOR_ANSWER_BYTES = 4096;

export type ValidatorVerdict =
  | { readonly ok: true; readonly agreeing: readonly number[] }
  | { readonly ok: false; readonly reason: string };

/** The indexes a validator's stdout names, checked against the `candidates` it was given. */
export function readValidatorAnswer(stdout: Uint8Array, candidates: number): ValidatorVerdict {
  if (stdout.byteLength > MAX_VALIDATOR_ANSWER_BYTES) {
    return { ok: false, reason: `answer longer than ${MAX_VALIDATOR_ANSWER_BYTES} bytes` };
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(stdout));
  } catch {
    return { ok: false, reason: 'answer is not a JSON array of candidate indexes' };
  }
  const parsed = ValidatorAnswer.safeParse(value);
  if (!parsed.success) {
    return { ok: false, reason: 'answer is not a JSON array of candidate indexes' };
  }
  const agreeing = parsed.data;
  if (agreeing.some((i) => i >= candidates)) {
    return { ok: false, reason: `answer names a candidate beyond the ${candidates} given` };
  }
  if (new Set(agreeing).size !== agreeing.length) {
    return { ok: false, reason: 'answer names a candidate twice' };
  }
  return { ok: true, agreeing: [...agreeing].sort((a, b) => a - b) };
}
