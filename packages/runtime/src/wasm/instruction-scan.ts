/**
 * @module Walks the instructions of a function body to find every `memory.grow`, or
 * whether it writes tables or drops segments (which makes an instance not reusable).
 *
 * Instructions have variable-length immediates, so finding an opcode means decoding
 * every instruction before it. This covers the MVP and the extensions compilers emit
 * today (bulk memory, SIMD, threads, tail calls, exceptions, typed function
 * references). Anything else — GC instructions, an unknown opcode — makes the scan give
 * up (`null`): the caller then leaves the module uninstrumented, never guesses.
 */

/** Where a `memory.grow 0` instruction sits in the module bytes, and its length. */
export interface GrowSite {
  readonly at: number;
  readonly length: number;
}

class Unsupported extends Error {}

function skipLeb(b: Uint8Array, pos: number): number {
  for (let i = 0; i < 10; i++) {
    if (pos >= b.length) throw new Unsupported();
    if (((b[pos++] as number) & 0x80) === 0) return pos;
  }
  throw new Unsupported();
}

function readU32(b: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (let i = 0; i < 5; i++) {
    if (pos >= b.length) throw new Unsupported();
    const byte = b[pos++] as number;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, pos];
    shift += 7;
  }
  throw new Unsupported();
}

/** Skips a value type: one byte, or a reference type with a heap type (0x63/0x64 + s33). */
function skipValType(b: Uint8Array, pos: number): number {
  const t = b[pos] as number;
  return t === 0x63 || t === 0x64 ? skipLeb(b, pos + 1) : pos + 1;
}

/** Skips a block type: empty (0x40), a value type, or a type index (s33). */
function skipBlockType(b: Uint8Array, pos: number): number {
  const t = b[pos] as number;
  if (
    t === 0x40 ||
    (t >= 0x6f && t <= 0x7f) ||
    t === 0x63 ||
    t === 0x64 ||
    (t >= 0x69 && t <= 0x6e)
  ) {
    return skipValType(b, pos);
  }
  return skipLeb(b, pos);
}

function skipMemarg(b: Uint8Array, pos: number): number {
  const [align, next] = readU32(b, pos);
  const afterIndex = align & 0x40 ? skipLeb(b, next) : next;
  return skipLeb(b, afterIndex);
}

function skipPrefixedFC(b: Uint8Array, pos: number): number {
  const [sub, p] = readU32(b, pos);
  if (sub <= 7) return p;
  if (sub === 8 || sub === 10 || sub === 12 || sub === 14) return skipLeb(b, skipLeb(b, p));
  if (sub === 9 || sub === 11 || sub === 13 || (sub >= 15 && sub <= 17)) return skipLeb(b, p);
  throw new Unsupported();
}

function skipPrefixedFD(b: Uint8Array, pos: number): number {
  const [sub, p] = readU32(b, pos);
  if (sub <= 11 || sub === 92 || sub === 93) return skipMemarg(b, p);
  if (sub === 12 || sub === 13) return p + 16;
  if (sub >= 21 && sub <= 34) return p + 1;
  if (sub >= 84 && sub <= 91) return skipMemarg(b, p) + 1;
  if (sub <= 0x113) return p;
  throw new Unsupported();
}

function skipPrefixedFE(b: Uint8Array, pos: number): number {
  const [sub, p] = readU32(b, pos);
  if (sub === 0x03) return p + 1;
  if (sub <= 0x02 || (sub >= 0x10 && sub <= 0x4e)) return skipMemarg(b, p);
  throw new Unsupported();
}

/** Skips one instruction's immediates; records `memory.grow 0`. */
function skipInstruction(b: Uint8Array, op: number, pos: number, sites: GrowSite[]): number {
  if (op === 0x40) {
    const [memory, next] = readU32(b, pos);
    if (memory !== 0) throw new Unsupported();
    sites.push({ at: pos - 1, length: next - pos + 1 });
    return next;
  }
  if (op <= 0x01 || op === 0x05 || op === 0x0a || op === 0x0b || op === 0x0f || op === 0x19)
    return pos;
  if (op >= 0x02 && op <= 0x04) return skipBlockType(b, pos);
  if (op === 0x06) return skipBlockType(b, pos);
  if (op === 0x07 || op === 0x08 || op === 0x09 || op === 0x18) return skipLeb(b, pos);
  if (op === 0x0c || op === 0x0d || op === 0x10 || op === 0x12 || op === 0x14 || op === 0x15)
    return skipLeb(b, pos);
  if (op === 0x0e) {
    const [count, p] = readU32(b, pos);
    let at = p;
    for (let i = 0; i <= count; i++) at = skipLeb(b, at);
    return at;
  }
  if (op === 0x11 || op === 0x13) return skipLeb(b, skipLeb(b, pos));
  if (op === 0x1a || op === 0x1b) return pos;
  if (op === 0x1c) {
    const [count, p] = readU32(b, pos);
    let at = p;
    for (let i = 0; i < count; i++) at = skipValType(b, at);
    return at;
  }
  if (op === 0x1f) {
    let at = skipBlockType(b, pos);
    const [count, p] = readU32(b, at);
    at = p;
    for (let i = 0; i < count; i++) {
      const kind = b[at++] as number;
      if (kind <= 1) at = skipLeb(b, at);
      at = skipLeb(b, at);
    }
    return at;
  }
  if (op >= 0x20 && op <= 0x26) return skipLeb(b, pos);
  if (op >= 0x28 && op <= 0x3e) return skipMemarg(b, pos);
  if (op === 0x3f) return skipLeb(b, pos);
  if (op === 0x41 || op === 0x42) return skipLeb(b, pos);
  if (op === 0x43) return pos + 4;
  if (op === 0x44) return pos + 8;
  if (op >= 0x45 && op <= 0xc4) return pos;
  if (op === 0xd0) return skipLeb(b, pos);
  if (op === 0xd1 || op === 0xd3 || op === 0xd4) return pos;
  if (op === 0xd2 || op === 0xd5 || op === 0xd6) return skipLeb(b, pos);
  if (op === 0xfc) return skipPrefixedFC(b, pos);
  if (op === 0xfd) return skipPrefixedFD(b, pos);
  if (op === 0xfe) return skipPrefixedFE(b, pos);
  throw new Unsupported();
}

/**
 * The `memory.grow 0` instructions of the function body in `b[start, end)` (locals
 * included), or null if the body uses an instruction this scanner does not know.
 */
export function findGrowSites(b: Uint8Array, start: number, end: number): GrowSite[] | null {
  const sites: GrowSite[] = [];
  try {
    let [groups, pos] = readU32(b, start);
    for (; groups > 0; groups--) pos = skipValType(b, skipLeb(b, pos));
    while (pos < end) {
      const op = b[pos++] as number;
      pos = skipInstruction(b, op, pos, sites);
    }
    return pos === end ? sites : null;
  } catch (error) {
    if (error instanceof Unsupported) return null;
    throw error;
  }
}

/**
 * Whether the function body in `b[start, end)` can change instance state other than
 * memory and globals: a table write (`table.set/init/copy/grow/fill`) or a segment drop
 * (`data.drop`, `elem.drop`). Null if the body uses an instruction this scanner does not
 * know.
 */
export function changesTablesOrSegments(b: Uint8Array, start: number, end: number): boolean | null {
  const ignored: GrowSite[] = [];
  try {
    let [groups, pos] = readU32(b, start);
    for (; groups > 0; groups--) pos = skipValType(b, skipLeb(b, pos));
    while (pos < end) {
      const op = b[pos++] as number;
      if (op === 0x26) return true;
      if (op === 0xfc) {
        const [sub] = readU32(b, pos);
        if (sub === 9 || (sub >= 12 && sub <= 15) || sub === 17) return true;
      }
      pos = skipInstruction(b, op, pos, ignored);
      ignored.length = 0;
    }
    return pos === end ? false : null;
  } catch (error) {
    if (error instanceof Unsupported) return null;
    throw error;
  }
}
