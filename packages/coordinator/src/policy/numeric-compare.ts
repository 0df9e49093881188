/**
 * @module
 * The `numeric` comparator: two outputs agree when the numbers of their source (stdout
 * or one file) agree within tolerance, in the same count and the same structure, and
 * every other part of the outputs is byte-equal. Pure: it sees bytes and hashes, never
 * the blob store, so the comparator service, tests and the simulator share it.
 *
 * JSON is read as text: numbers (and the NaN, Infinity and -Infinity that programs print
 * though JSON lacks them) are compared with tolerance, and everything between them —
 * brackets, keys, strings, white space — must be byte-equal. That keeps "same structure"
 * exact without deciding which differences of layout matter.
 */

import type { NumericCompare, NumericSource, OutputRef } from '@anygrid/protocol';

export type Tolerance = Pick<NumericCompare, 'absTol' | 'relTol'>;

/** Whether two numbers agree: NaN only with NaN, equal infinities, else within tolerance. */
export function numbersAgree(a: number, b: number, tol: Tolerance): boolean {
  if (a === b) return true;
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  // Unequal and one infinite: any finite tolerance, scaled by infinity, would pass it.
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  const diff = Math.abs(a - b);
  if (diff <= tol.absTol) return true;
  return diff <= tol.relTol * Math.max(Math.abs(a), Math.abs(b));
}

/** Whether two raw little-endian arrays of `width`-byte floats agree element by element. */
export function floatArraysAgree(
  a: Uint8Array,
  b: Uint8Array,
  width: 4 | 8,
  tol: Tolerance,
): boolean {
  if (a.byteLength !== b.byteLength || a.byteLength % width !== 0) return false;
  const va = new DataView(a.buffer, a.byteOffset, a.byteLength);
  const vb = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let at = 0; at < a.byteLength; at += width) {
    const x = width === 8 ? va.getFloat64(at, true) : va.getFloat32(at, true);
    const y = width === 8 ? vb.getFloat64(at, true) : vb.getFloat32(at, true);
    if (!numbersAgree(x, y, tol)) return false;
  }
  return true;
}

/** JSON text split into its numbers and the text around them (each number a `0`). */
export interface JsonNumbers {
  readonly skeleton: string;
  readonly numbers: readonly number[];
}

const NUMBER = /-?(?:Infinity|NaN|(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)/y;

/**
 * The numbers of a JSON text and the text around them; null when the text is not JSON
 * (with NaN and ±Infinity allowed where a number may stand).
 */
export function jsonNumbers(text: string): JsonNumbers | null {
  const numbers: number[] = [];
  let skeleton = '';
  let from = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i++;
      while (i < text.length && text.charCodeAt(i) !== 0x22)
        i += text.charCodeAt(i) === 0x5c ? 2 : 1;
      i++;
      continue;
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m === null || m[0] === '-') {
      i++;
      continue;
    }
    skeleton += `${text.slice(from, i)}0`;
    numbers.push(Number(m[0]));
    i += m[0].length;
    from = i;
  }
  skeleton += text.slice(from);
  try {
    JSON.parse(skeleton);
  } catch {
    return null;
  }
  return { skeleton, numbers };
}

/** Whether two JSON texts agree: same text around their numbers, numbers within tolerance. */
export function jsonAgree(a: string, b: string, tol: Tolerance): boolean {
  const x = jsonNumbers(a);
  const y = jsonNumbers(b);
  if (x === null || y === null || x.skeleton !== y.skeleton) return false;
  return x.numbers.every((n, k) => numbersAgree(n, y.numbers[k] as number, tol));
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Whether the numeric sources of two outputs agree (bytes as read, or null when absent). */
export function sourcesAgree(
  a: Uint8Array | null,
  b: Uint8Array | null,
  spec: Pick<NumericCompare, 'absTol' | 'relTol' | 'format'>,
): boolean {
  if (a === null || b === null) return a === b;
  if (spec.format === 'float64') return floatArraysAgree(a, b, 8, spec);
  if (spec.format === 'float32') return floatArraysAgree(a, b, 4, spec);
  let x: string;
  let y: string;
  try {
    x = decoder.decode(a);
    y = decoder.decode(b);
  } catch {
    return false;
  }
  return jsonAgree(x, y, spec);
}

/** The outputs of a reported replica, by hash. */
export interface HashedOutputs {
  readonly stdout: Pick<OutputRef, 'hash'> | null;
  readonly files: Readonly<Record<string, Pick<OutputRef, 'hash'>>>;
}

/** The output a numeric source names, or null when the replica has none. */
export function sourceOf<T extends Pick<OutputRef, 'hash'>>(
  outputs: { readonly stdout: T | null; readonly files: Readonly<Record<string, T>> },
  source: NumericSource,
): T | null {
  return source === 'stdout' ? outputs.stdout : (outputs.files[source.file] ?? null);
}

/**
 * Whether everything but the numeric source is byte-equal: stdout (unless it is the
 * source) and every other file, by name and hash. Exit codes need no look: only
 * successful replicas (exit code 0) are compared.
 */
export function restIsEqual(a: HashedOutputs, b: HashedOutputs, source: NumericSource): boolean {
  if (source !== 'stdout' && a.stdout?.hash !== b.stdout?.hash) return false;
  const skip = source === 'stdout' ? undefined : source.file;
  const names = (o: HashedOutputs) =>
    Object.keys(o.files)
      .filter((n) => n !== skip)
      .sort();
  const na = names(a);
  const nb = names(b);
  if (na.length !== nb.length) return false;
  return na.every((n, k) => n === nb[k] && a.files[n]?.hash === b.files[n]?.hash);
}
