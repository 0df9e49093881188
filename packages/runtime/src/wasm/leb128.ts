/**
 * @module LEB128, the variable-length integer encoding of the WebAssembly binary format.
 *
 * The memory-cap rewriter reads section sizes, vector lengths and memory limits with
 * these and writes the changed ones back. Values above 2^53 only occur for memory64
 * limits, which are read as bigint so no page count is silently rounded.
 */

/** A decoded value and the offset just past it. */
export interface Leb128Read<T> {
  readonly value: T;
  readonly next: number;
}

/** Reads an unsigned LEB128 of at most 32 bits starting at `offset`. */
export function readU32(bytes: Uint8Array, offset: number): Leb128Read<number> {
  let result = 0;
  let shift = 0;
  let pos = offset;
  for (;;) {
    if (pos >= bytes.length) throw new RangeError('LEB128 runs past the end of the module');
    const byte = bytes[pos++] as number;
    result += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
    if (shift > 28) {
      if (pos - offset >= 5) throw new RangeError('LEB128 u32 is longer than 5 bytes');
    }
  }
  if (result > 0xffffffff) throw new RangeError('LEB128 value does not fit in u32');
  return { value: result, next: pos };
}

/** Reads an unsigned LEB128 of at most 64 bits starting at `offset`. */
export function readU64(bytes: Uint8Array, offset: number): Leb128Read<bigint> {
  let result = 0n;
  let shift = 0n;
  let pos = offset;
  for (;;) {
    if (pos >= bytes.length) throw new RangeError('LEB128 runs past the end of the module');
    const byte = bytes[pos++] as number;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) break;
    shift += 7n;
    if (shift > 63n) throw new RangeError('LEB128 u64 is longer than 10 bytes');
  }
  return { value: result, next: pos };
}

/** Encodes an unsigned value (number or bigint) as LEB128. */
export function encodeUnsigned(value: number | bigint): Uint8Array {
  let v = BigInt(value);
  if (v < 0n) throw new RangeError('LEB128 unsigned value is negative');
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return Uint8Array.from(out);
}
