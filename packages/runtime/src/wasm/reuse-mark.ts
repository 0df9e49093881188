/**
 * @module Marks a module whose instance a worker may keep from run to run, restoring its
 * memory and globals in between, instead of instantiating it anew: for a trivial task,
 * `new WebAssembly.Instance` and collecting the instances it left behind were about
 * half of a worker's CPU time.
 *
 * An instance's state is its memory, its globals, its tables and which of its segments
 * were dropped. The runtime provides the memory (`memory-import.ts`), so it can restore
 * it; it can read and restore a global only through an export. So the rewrite exports
 * every mutable global not yet exported (as `__anygrid_global_<index>`), and marks the
 * module with the custom section `anygrid.reusable` only if nothing else can change:
 * no start function, no imports but functions and memories, no mutable v128 global
 * (JavaScript cannot read one), and no instruction that writes a table or drops a
 * segment. Whatever it does not understand leaves the module unmarked.
 *
 * A wrongly marked module could let one run read the next one's data, so the mark must
 * come from here only: `stripCustomSections` drops the mark from a module that arrives
 * with one.
 */

import { concatBytes } from './concat-bytes.js';
import { changesTablesOrSegments } from './instruction-scan.js';
import { encodeUnsigned, readU32 } from './leb128.js';
import { readSections, type WasmSection } from './sections.js';

/** Name of the custom section that marks a module reusable. */
export const REUSE_SECTION = 'anygrid.reusable';
const GLOBAL_EXPORT_PREFIX = '__anygrid_global_';

const SECTION_IMPORT = 2;
const SECTION_GLOBAL = 6;
const SECTION_EXPORT = 7;
const SECTION_START = 8;
const SECTION_CODE = 10;
/** Canonical order of the known sections (custom sections, id 0, may sit anywhere). */
const ORDER = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];
const V128 = 0x7b;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

class NotReusable extends Error {}

function skipLeb(b: Uint8Array, pos: number): number {
  let at = pos;
  while (((b[at++] as number) & 0x80) !== 0) if (at >= b.length) throw new NotReusable();
  return at;
}

function skipName(b: Uint8Array, pos: number): number {
  const len = readU32(b, pos);
  return len.next + len.value;
}

/** Throws unless every import is a function or a memory. */
function checkImports(body: Uint8Array): void {
  const count = readU32(body, 0);
  let pos = count.next;
  for (let i = 0; i < count.value; i++) {
    pos = skipName(body, skipName(body, pos));
    const kind = body[pos++];
    if (kind === 0x00) {
      pos = readU32(body, pos).next;
    } else if (kind === 0x02) {
      const flags = body[pos++] as number;
      pos = skipLeb(body, pos);
      if (flags & 1) pos = skipLeb(body, pos);
    } else {
      throw new NotReusable();
    }
  }
}

/** Skips a constant expression up to and including its `end`. */
function skipConstExpr(b: Uint8Array, pos: number): number {
  let at = pos;
  for (;;) {
    const op = b[at++];
    if (op === 0x0b) return at;
    if (op === 0x41 || op === 0x42 || op === 0x23 || op === 0xd0 || op === 0xd2)
      at = skipLeb(b, at);
    else if (op === 0x43) at += 4;
    else if (op === 0x44) at += 8;
    else if (op === 0xfd && b[at] === 0x0c) at += 17;
    else if (op === undefined || ![0x6a, 0x6b, 0x6c, 0x7c, 0x7d, 0x7e].includes(op))
      throw new NotReusable();
  }
}

/** Indices of the mutable globals a global section defines (no globals are imported). */
function mutableGlobals(body: Uint8Array): number[] {
  const count = readU32(body, 0);
  let pos = count.next;
  const mutable: number[] = [];
  for (let i = 0; i < count.value; i++) {
    const type = body[pos] as number;
    pos = type === 0x63 || type === 0x64 ? skipLeb(body, pos + 1) : pos + 1;
    if (body[pos++] === 1) {
      if (type === V128) throw new NotReusable();
      mutable.push(i);
    }
    pos = skipConstExpr(body, pos);
  }
  return mutable;
}

/** Export names, and the indices of exported globals. */
function readExports(body: Uint8Array | undefined): { names: Set<string>; globals: Set<number> } {
  const names = new Set<string>();
  const globals = new Set<number>();
  if (body === undefined) return { names, globals };
  const count = readU32(body, 0);
  let pos = count.next;
  for (let i = 0; i < count.value; i++) {
    const len = readU32(body, pos);
    names.add(decoder.decode(body.subarray(len.next, len.next + len.value)));
    pos = len.next + len.value;
    const kind = body[pos++];
    const index = readU32(body, pos);
    if (kind === 0x03) globals.add(index.value);
    pos = index.next;
  }
  return { names, globals };
}

function checkCode(body: Uint8Array): void {
  const count = readU32(body, 0);
  let pos = count.next;
  for (let i = 0; i < count.value; i++) {
    const size = readU32(body, pos);
    const end = size.next + size.value;
    if (changesTablesOrSegments(body, size.next, end) !== false) throw new NotReusable();
    pos = end;
  }
}

function named(text: string): Uint8Array {
  const bytes = encoder.encode(text);
  return concatBytes([encodeUnsigned(bytes.length), bytes]);
}

function section(id: number, body: Uint8Array): Uint8Array {
  return concatBytes([[id], encodeUnsigned(body.length), body]);
}

/** The export section with an export for each of `globals` appended. */
function exportBody(existing: Uint8Array | undefined, globals: readonly number[]): Uint8Array {
  const added = globals.map((g) =>
    concatBytes([named(`${GLOBAL_EXPORT_PREFIX}${g}`), [0x03], encodeUnsigned(g)]),
  );
  if (existing === undefined) return concatBytes([encodeUnsigned(added.length), ...added]);
  const count = readU32(existing, 0);
  return concatBytes([
    encodeUnsigned(count.value + added.length),
    existing.subarray(count.next),
    ...added,
  ]);
}

/** Whether `sections` already carry a section named `name`. */
function hasCustom(sections: readonly WasmSection[], name: string): boolean {
  return sections.some((s) => {
    if (s.id !== 0) return false;
    const len = readU32(s.body, 0);
    return decoder.decode(s.body.subarray(len.next, len.next + len.value)) === name;
  });
}

/**
 * `bytes` with every mutable global exported and the `anygrid.reusable` mark added, or
 * null when an instance of the module could hold state the runtime cannot restore.
 */
export function markReusable(bytes: Uint8Array): Uint8Array | null {
  try {
    const sections = readSections(bytes);
    const find = (id: number) => sections.find((s) => s.id === id);
    if (find(SECTION_START) !== undefined || hasCustom(sections, REUSE_SECTION)) return null;
    const imports = find(SECTION_IMPORT);
    if (imports) checkImports(imports.body);
    const globals = find(SECTION_GLOBAL);
    const mutable = globals ? mutableGlobals(globals.body) : [];
    const code = find(SECTION_CODE);
    if (code) checkCode(code.body);
    const exports = find(SECTION_EXPORT);
    const { names, globals: exported } = readExports(exports?.body);
    const unexported = mutable.filter((g) => !exported.has(g));
    if (unexported.some((g) => names.has(`${GLOBAL_EXPORT_PREFIX}${g}`))) return null;

    const newExports = section(SECTION_EXPORT, exportBody(exports?.body, unexported));
    const rank = ORDER.indexOf(SECTION_EXPORT);
    const parts: Uint8Array[] = [bytes.subarray(0, 8)];
    let exportsWritten = unexported.length === 0;
    for (const s of sections) {
      if (s.id === SECTION_EXPORT && !exportsWritten) {
        parts.push(newExports);
        exportsWritten = true;
        continue;
      }
      if (!exportsWritten && s.id !== 0 && ORDER.indexOf(s.id) > rank) {
        parts.push(newExports);
        exportsWritten = true;
      }
      parts.push(bytes.subarray(s.start, s.end));
    }
    if (!exportsWritten) parts.push(newExports);
    parts.push(section(0, named(REUSE_SECTION)));
    return concatBytes(parts);
  } catch (error) {
    if (error instanceof NotReusable || error instanceof RangeError) return null;
    throw error;
  }
}

/** Whether `module` carries the mark (see the module comment for why it can be trusted). */
export function isMarkedReusable(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.customSections(module, REUSE_SECTION).length === 1;
}
