/**
 * @module Drops a module's custom sections before it is rewritten and compiled, except
 * `name` (function names in trap stack traces).
 *
 * Custom sections never affect validation or execution, and a guest cannot read them,
 * yet they can be most of a module: DWARF debug info (`.debug_*`) is often 80 % of a
 * C/C++ build, and every copy the rewrites make, and the engine's own copy, pays for
 * them. A module whose custom sections are small is returned as is (no copy at all),
 * unless it carries one of the runtime's own marks (`anygrid.memory`,
 * `anygrid.reusable`), which workers trust: a module arriving with one loses it.
 */
import { readU32 } from './leb128.js';
import { MEMORY_SECTION } from './memory-import.js';
import { REUSE_SECTION } from './reuse-mark.js';
import { readSections } from './sections.js';

/** Below this many bytes of droppable custom sections, stripping costs more than it saves. */
const WORTH_STRIPPING = 256 * 1024;
const KEEP = new Set(['name']);
/** The runtime's own marks, which workers trust. */
const RESERVED = new Set([MEMORY_SECTION, REUSE_SECTION]);
const decoder = new TextDecoder();

function sectionName(body: Uint8Array): string {
  const len = readU32(body, 0);
  return decoder.decode(body.subarray(len.next, len.next + len.value));
}

/**
 * `bytes` without custom sections other than `name`, or `bytes` itself when there is
 * little to drop and nothing reserved, or the layout is malformed (compilation will
 * say so; no module with a malformed layout compiles, so no reserved section survives).
 */
export function stripCustomSections(bytes: Uint8Array): Uint8Array {
  const kept: Array<[number, number]> = [];
  let dropped = 0;
  let reserved = false;
  try {
    for (const { id, start, end, body } of readSections(bytes)) {
      const name = id === 0 ? sectionName(body) : '';
      if (id === 0 && !KEEP.has(name)) dropped += end - start;
      else kept.push([start, end]);
      if (RESERVED.has(name)) reserved = true;
    }
  } catch {
    return bytes;
  }
  if (dropped < WORTH_STRIPPING && !reserved) return bytes;
  const out = new Uint8Array(bytes.length - dropped);
  out.set(bytes.subarray(0, 8), 0);
  let at = 8;
  for (const [start, end] of kept) {
    out.set(bytes.subarray(start, end), at);
    at += end - start;
  }
  return out;
}
