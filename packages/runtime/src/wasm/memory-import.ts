/**
 * @module Turns a module's own linear memory into an imported one, so that a worker can
 * hand every run of the module a recycled `WebAssembly.Memory`.
 *
 * Instantiating a module that defines its memory allocates a fresh memory each time:
 * with its guard regions and the garbage collection that frees it, that was ~250 µs of
 * a trivial task's ~300 µs of instantiation (measured on Node 20). A memory that the
 * previous run left at its initial size, zero-filled, is indistinguishable from a fresh
 * one, so reusing it changes nothing the guest can observe.
 *
 * The rewrite applies only to a module that defines exactly one plain (not shared, not
 * 64-bit) memory and imports none; it also caps the memory's maximum, as `capMemory`
 * would, so a large module is copied once for both. Its memory section is removed and an import
 * `__anygrid.memory` of the same limits is appended to the import section: imported
 * memories come first in the index space, so it keeps index 0 and every `memory`
 * export, load and store refers to it unchanged. A custom section `anygrid.memory`
 * records the limits (the JS API does not reflect the type of an import), so a worker knows
 * which memory to provide.
 */

import { concatBytes } from './concat-bytes.js';
import { encodeUnsigned, readU32 } from './leb128.js';
import { readSections, type WasmSection } from './sections.js';

/** Module and field name of the memory import the rewrite adds. */
export const MEMORY_IMPORT = { module: '__anygrid', name: 'memory' } as const;
/** Name of the custom section recording the imported memory's limits. */
export const MEMORY_SECTION = 'anygrid.memory';

/** Limits of a memory, in 64 KiB pages. */
export interface MemoryLimits {
  readonly initial: number;
  readonly maximum: number;
}

const PAGE = 65536;
/** The most pages a 32-bit memory can have. */
const MAX_PAGES = 65536;
const SECTION_TYPE = 1;
const SECTION_IMPORT = 2;
const SECTION_MEMORY = 5;
const encoder = new TextEncoder();

function name(text: string): Uint8Array {
  const bytes = encoder.encode(text);
  return concatBytes([encodeUnsigned(bytes.length), bytes]);
}

/** Whether an import section declares a memory (imported memories would take index 0). */
function importsMemory(body: Uint8Array): boolean {
  const count = readU32(body, 0);
  let pos = count.next;
  const skipName = () => {
    const len = readU32(body, pos);
    pos = len.next + len.value;
  };
  const skipLimits = () => {
    const flags = body[pos++] as number;
    pos = readU32(body, pos).next;
    if (flags & 1) pos = readU32(body, pos).next;
  };
  for (let i = 0; i < count.value; i++) {
    skipName();
    skipName();
    const kind = body[pos++];
    if (kind === 0x02) return true;
    if (kind === 0x00) pos = readU32(body, pos).next;
    else if (kind === 0x01) {
      pos += 1;
      skipLimits();
    } else if (kind === 0x03) pos += 2;
    else if (kind === 0x04) pos = readU32(body, pos + 1).next;
    else throw new RangeError(`unknown import kind ${kind}`);
  }
  return false;
}

/**
 * The single memory of a memory section with its maximum capped at `capPages`, if it
 * is one plain memory (shared and 64-bit memories are left alone) whose initial size is
 * within the cap (one that is not is capMemory's error to report).
 */
function singleMemory(body: Uint8Array, capPages: number): MemoryLimits | null {
  const count = readU32(body, 0);
  if (count.value !== 1) return null;
  const flags = body[count.next];
  if (flags !== 0x00 && flags !== 0x01) return null;
  const initial = readU32(body, count.next + 1);
  let end = initial.next;
  let maximum = Math.min(capPages, MAX_PAGES);
  if (flags === 0x01) {
    const declared = readU32(body, initial.next);
    end = declared.next;
    maximum = Math.min(maximum, declared.value);
  }
  if (end !== body.length || initial.value > maximum) return null;
  return { initial: initial.value, maximum };
}

function section(id: number, body: Uint8Array): Uint8Array {
  return concatBytes([[id], encodeUnsigned(body.length), body]);
}

/** Encodes the `anygrid.memory` custom section's payload. */
function encodeLimits(limits: MemoryLimits): Uint8Array {
  return concatBytes([encodeUnsigned(limits.initial), encodeUnsigned(limits.maximum)]);
}

/** Reads the limits a rewritten module recorded, or null if it has none (or they are malformed). */
export function importedMemoryLimits(module: WebAssembly.Module): MemoryLimits | null {
  const found = WebAssembly.Module.customSections(module, MEMORY_SECTION);
  if (found.length !== 1) return null;
  const bytes = new Uint8Array(found[0] as ArrayBuffer);
  try {
    const initial = readU32(bytes, 0);
    const maximum = readU32(bytes, initial.next);
    if (maximum.next !== bytes.length || initial.value > maximum.value || maximum.value > 65536)
      return null;
    return { initial: initial.value, maximum: maximum.value };
  } catch {
    return null;
  }
}

/**
 * Returns `bytes` with its one defined memory turned into the import `__anygrid.memory`
 * (see the module comment) with its maximum capped at `maxBytes` (rounded down to
 * pages, as `capMemory` does) — one copy of the module for both rewrites — or null
 * when the module does not qualify. A provided memory with a larger maximum than the
 * import's fails to link, so the cap holds whoever provides the memory.
 */
export function importMemory(bytes: Uint8Array, maxBytes: number): Uint8Array | null {
  const capPages = Math.max(0, Math.floor(maxBytes / PAGE));
  let sections: WasmSection[];
  try {
    sections = readSections(bytes);
    if (sections.some((s) => s.id === 0 && isNamed(s.body, MEMORY_SECTION))) return null;
    const memory = sections.find((s) => s.id === SECTION_MEMORY);
    const imports = sections.find((s) => s.id === SECTION_IMPORT);
    if (memory === undefined) return null;
    const limits = singleMemory(memory.body, capPages);
    if (limits === null || (imports && importsMemory(imports.body))) return null;
    const entry = concatBytes([
      name(MEMORY_IMPORT.module),
      name(MEMORY_IMPORT.name),
      [0x02, 0x01],
      encodeUnsigned(limits.initial),
      encodeUnsigned(limits.maximum),
    ]);
    const importBody = imports
      ? (() => {
          const count = readU32(imports.body, 0);
          return concatBytes([
            encodeUnsigned(count.value + 1),
            imports.body.subarray(count.next),
            entry,
          ]);
        })()
      : concatBytes([[1], entry]);
    const parts: Uint8Array[] = [bytes.subarray(0, 8)];
    let importWritten = false;
    for (const s of sections) {
      if (s.id === SECTION_MEMORY) continue;
      if (s.id === SECTION_IMPORT) {
        parts.push(section(SECTION_IMPORT, importBody));
        importWritten = true;
        continue;
      }
      // Without an import section, the new one goes right after the type section, or
      // first if there is none (sections 1 and 2 lead the canonical order).
      if (!importWritten && s.id !== 0 && s.id !== SECTION_TYPE) {
        parts.push(section(SECTION_IMPORT, importBody));
        importWritten = true;
      }
      parts.push(bytes.subarray(s.start, s.end));
    }
    if (!importWritten) parts.push(section(SECTION_IMPORT, importBody));
    parts.push(section(0, concatBytes([name(MEMORY_SECTION), encodeLimits(limits)])));
    return concatBytes(parts);
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
}

function isNamed(body: Uint8Array, wanted: string): boolean {
  const len = readU32(body, 0);
  const text = new TextDecoder().decode(body.subarray(len.next, len.next + len.value));
  return text === wanted;
}
