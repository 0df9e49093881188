/**
 * @module
 * Splits a module's bytes into its top-level sections, the first step of every module
 * rewrite (memory cap, memory import, grow probe, custom-section stripping).
 */

import { readU32 } from './leb128.js';

/** One top-level section: its id, where it lies in the module, and its body. */
export interface WasmSection {
  readonly id: number;
  /** Offset of the section's id byte. */
  readonly start: number;
  /** Offset just past the section. */
  readonly end: number;
  readonly body: Uint8Array;
}

/** The sections after the 8-byte header; throws RangeError when one runs past the end. */
export function readSections(bytes: Uint8Array): WasmSection[] {
  const sections: WasmSection[] = [];
  let pos = 8;
  while (pos < bytes.length) {
    const id = bytes[pos] as number;
    const size = readU32(bytes, pos + 1);
    const end = size.next + size.value;
    if (end > bytes.length) throw new RangeError('section past end');
    sections.push({ id, start: pos, end, body: bytes.subarray(size.next, end) });
    pos = end;
  }
  return sections;
}
