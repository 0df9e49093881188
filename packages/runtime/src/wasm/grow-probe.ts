/**
 * @module Instruments a module so the runtime can tell when `memory.grow` failed.
 *
 * A memory bomb is easy to recognise when memory ends at the cap, but a program that
 * asks for one huge block far below the cap also dies of the cap: its `memory.grow`
 * returned -1. To see that, every `memory.grow 0` is replaced by a call to an added
 * function that does the grow and, on failure, sets an added, exported global
 * (`__anygrid_grow_failed`). Type, function, global and export entries are appended, so
 * no existing index moves. Modules this rewrite does not understand are left alone.
 */

import { concatBytes } from './concat-bytes.js';
import { findGrowSites, type GrowSite } from './instruction-scan.js';
import { encodeUnsigned, readU32 } from './leb128.js';
import { readSections, type WasmSection } from './sections.js';

/** Name of the exported i32 global that is 1 once a `memory.grow` has failed. */
export const GROW_FAILED_EXPORT = '__anygrid_grow_failed';

/** A section as the probe rewrites it; added sections have no place in the input. */
interface Section extends Pick<WasmSection, 'id' | 'body'> {
  /** Set when the section was rewritten or added. */
  replaced?: Uint8Array;
}

/** Canonical order of the known sections (custom sections, id 0, may sit anywhere). */
const ORDER = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];

const cat = (...parts: ArrayLike<number>[]): Uint8Array => concatBytes(parts);

/** A vector section with `extra` entries appended. */
function appendToVector(body: Uint8Array | undefined, ...extra: Uint8Array[]): Uint8Array {
  if (body === undefined) return cat(encodeUnsigned(extra.length), ...extra);
  const count = readU32(body, 0);
  return cat(encodeUnsigned(count.value + extra.length), body.subarray(count.next), ...extra);
}

function vectorLength(body: Uint8Array | undefined): number {
  return body === undefined ? 0 : readU32(body, 0).value;
}

function skipLimits(b: Uint8Array, pos: number): number {
  const flags = b[pos] as number;
  let at = pos + 1;
  const skip = () => {
    while (((b[at++] as number) & 0x80) !== 0) {}
  };
  skip();
  if (flags & 1) skip();
  return at;
}

/** Imported function and global counts. */
function importCounts(body: Uint8Array | undefined): { funcs: number; globals: number } | null {
  let funcs = 0;
  let globals = 0;
  if (body === undefined) return { funcs, globals };
  const count = readU32(body, 0);
  let pos = count.next;
  const skipName = () => {
    const len = readU32(body, pos);
    pos = len.next + len.value;
  };
  for (let i = 0; i < count.value; i++) {
    skipName();
    skipName();
    const kind = body[pos++];
    if (kind === 0x00) {
      funcs++;
      pos = readU32(body, pos).next;
    } else if (kind === 0x01) {
      const ref = body[pos] as number;
      if (ref === 0x63 || ref === 0x64) return null;
      pos = skipLimits(body, pos + 1);
    } else if (kind === 0x02) {
      pos = skipLimits(body, pos);
    } else if (kind === 0x03) {
      globals++;
      const type = body[pos] as number;
      if (type === 0x63 || type === 0x64) return null;
      pos += 2;
    } else if (kind === 0x04) {
      pos = readU32(body, pos + 1).next;
    } else {
      return null;
    }
  }
  return { funcs, globals };
}

/** The code section with each body's grow sites replaced by `call hook`, and the hook's body appended. */
function rewriteCode(body: Uint8Array, hookIndex: number, globalIndex: number): Uint8Array | null {
  const count = readU32(body, 0);
  let pos = count.next;
  const call = cat([0x10], encodeUnsigned(hookIndex));
  const entries: Uint8Array[] = [];
  let total = 0;
  let unchangedFrom = -1;
  for (let i = 0; i < count.value; i++) {
    const size = readU32(body, pos);
    const start = size.next;
    const end = start + size.value;
    const sites: GrowSite[] | null = findGrowSites(body, start, end);
    if (sites === null) return null;
    total += sites.length;
    if (sites.length === 0) {
      // Runs of unchanged bodies (nearly all) are referenced as one range, not copied
      // one by one: a large module has 100 000 bodies, and each piece costs a call.
      if (unchangedFrom < 0) unchangedFrom = pos;
      pos = end;
      continue;
    }
    if (unchangedFrom >= 0) entries.push(body.subarray(unchangedFrom, pos));
    unchangedFrom = -1;
    const parts: Uint8Array[] = [];
    let from = start;
    for (const site of sites) {
      parts.push(body.subarray(from, site.at), call);
      from = site.at + site.length;
    }
    parts.push(body.subarray(from, end));
    const fn = concatBytes(parts);
    entries.push(encodeUnsigned(fn.length), fn);
    pos = end;
  }
  if (unchangedFrom >= 0) entries.push(body.subarray(unchangedFrom, pos));
  if (total === 0) return null;
  // (local i32) local.get 0 memory.grow 0 local.tee 1 i32.const -1 i32.eq
  // if i32.const 1 global.set G end local.get 1 end
  const hook = cat(
    [
      0x01, 0x01, 0x7f, 0x20, 0x00, 0x40, 0x00, 0x22, 0x01, 0x41, 0x7f, 0x46, 0x04, 0x40, 0x41,
      0x01, 0x24,
    ],
    encodeUnsigned(globalIndex),
    [0x0b, 0x20, 0x01, 0x0b],
  );
  entries.push(cat(encodeUnsigned(hook.length), hook));
  return concatBytes([encodeUnsigned(count.value + 1), ...entries]);
}

/** Puts `section` where its id belongs among `sections`. */
function insertSection(sections: Section[], section: Section): void {
  const rank = ORDER.indexOf(section.id);
  const at = sections.findIndex((s) => s.id !== 0 && ORDER.indexOf(s.id) > rank);
  if (at < 0) sections.push(section);
  else sections.splice(at, 0, section);
}

/**
 * Returns `bytes` with every `memory.grow` routed through a hook that records failure
 * in the exported global `__anygrid_grow_failed`, or null when the module has no
 * `memory.grow` or uses something this rewrite does not understand.
 */
export function instrumentGrow(bytes: Uint8Array): Uint8Array | null {
  let sections: Section[];
  try {
    sections = readSections(bytes);
  } catch {
    return null;
  }
  const find = (id: number) => sections.find((s) => s.id === id);
  const code = find(10);
  const functions = find(3);
  if (code === undefined || functions === undefined) return null;
  try {
    const imports = importCounts(find(2)?.body);
    if (imports === null) return null;
    const hookIndex = imports.funcs + vectorLength(functions.body);
    const globalIndex = imports.globals + vectorLength(find(6)?.body);
    const typeIndex = vectorLength(find(1)?.body);
    const newCode = rewriteCode(code.body, hookIndex, globalIndex);
    if (newCode === null) return null;
    const name = new TextEncoder().encode(GROW_FAILED_EXPORT);
    const update = (id: number, body: Uint8Array) => {
      const existing = find(id);
      if (existing) existing.replaced = body;
      else insertSection(sections, { id, body, replaced: body });
    };
    update(1, appendToVector(find(1)?.body, Uint8Array.of(0x60, 0x01, 0x7f, 0x01, 0x7f)));
    update(3, appendToVector(functions.body, encodeUnsigned(typeIndex)));
    update(6, appendToVector(find(6)?.body, Uint8Array.of(0x7f, 0x01, 0x41, 0x00, 0x0b)));
    update(
      7,
      appendToVector(
        find(7)?.body,
        cat(encodeUnsigned(name.length), name, [0x03], encodeUnsigned(globalIndex)),
      ),
    );
    code.replaced = newCode;
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  for (const s of sections) {
    const body = s.replaced ?? s.body;
    parts.push(Uint8Array.of(s.id), encodeUnsigned(body.length), body);
  }
  return cat(...parts);
}
