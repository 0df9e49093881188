/**
 * @module
 * Plain checks of parsed JSON for the hot paths that read a message in place instead of
 * through its zod schema (report batches at the coordinator, work and report answers at
 * the agent). Each such reader accepts only values its schema accepts, gives anything
 * unusual to the schema, and compares its own list of keys with the schema's, so a
 * protocol change sends every message through the schema until the reader is updated.
 */

import { MAX_BLOB_BYTES, SHA256_HEX } from './content.js';

/** A plain object as `JSON.parse` makes them. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype
  );
}

export function countKeys(value: Record<string, unknown>): number {
  let keys = 0;
  for (const _ in value) keys += 1;
  return keys;
}

/** Whether two key lists hold the same names, in any order. */
export function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((key) => b.includes(key));
}

export function isStrings(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (const item of value) if (typeof item !== 'string') return false;
  return true;
}

/** An object of string values, none under a key JSON can name but zod drops. */
export function isStringRecord(value: unknown): boolean {
  if (!isRecord(value)) return false;
  for (const key in value) {
    if (key === '__proto__' || typeof value[key] !== 'string') return false;
  }
  return true;
}

/** Whether `value` has a `hash` and a `size` as a `BlobRef` or `OutputRef` must (other keys unchecked). */
export function hasBlobAddress(value: Record<string, unknown>): boolean {
  const { hash, size } = value;
  return (
    typeof hash === 'string' &&
    SHA256_HEX.test(hash) &&
    Number.isSafeInteger(size) &&
    (size as number) >= 0 &&
    (size as number) <= MAX_BLOB_BYTES
  );
}
