/**
 * @module Rewrites a module so that its linear memory cannot grow past a cap.
 *
 * Worker heap limits (`resourceLimits`) do not bound `WebAssembly.Memory`, whose buffer
 * lives outside the V8 heap, so the cap is put into the module itself: every memory it
 * defines (memory section) or imports (import section) gets a `maximum` no larger than
 * the cap. `memory.grow` beyond it then fails with -1 and the guest sees out-of-memory,
 * exactly as on a full machine. Only the two sections that declare memories are
 * re-encoded; every other byte is copied as is.
 */
import { ModuleError } from '../module-error.js';
import { concatBytes } from './concat-bytes.js';
import { encodeUnsigned, readU32, readU64 } from './leb128.js';

const PAGE = 65536;
const SECTION_IMPORT = 2;
const SECTION_MEMORY = 5;
const LIMIT_HAS_MAX = 0x01;
const LIMIT_MEMORY64 = 0x04;

/** Reads one memory `limits` at `offset` and returns it re-encoded with the cap applied. */
function capLimits(
  bytes: Uint8Array,
  offset: number,
  capPages: bigint,
): { encoded: Uint8Array; next: number } {
  const flags = bytes[offset] as number;
  if (flags > 0x07)
    throw new ModuleError('invalid_module', `unknown memory limits flag 0x${flags.toString(16)}`);
  const is64 = (flags & LIMIT_MEMORY64) !== 0;
  const read = (at: number) =>
    is64
      ? readU64(bytes, at)
      : ((r) => ({ value: BigInt(r.value), next: r.next }))(readU32(bytes, at));
  const min = read(offset + 1);
  let next = min.next;
  let max = capPages;
  if (flags & LIMIT_HAS_MAX) {
    const declared = read(next);
    next = declared.next;
    if (declared.value < max) max = declared.value;
  }
  if (min.value > capPages) {
    throw new ModuleError(
      'memory_limit',
      `module needs ${min.value} pages of memory at start; the cap is ${capPages} pages`,
    );
  }
  const encoded = concatBytes([
    Uint8Array.of(flags | LIMIT_HAS_MAX),
    encodeUnsigned(min.value),
    encodeUnsigned(max),
  ]);
  return { encoded, next };
}

function skipName(bytes: Uint8Array, offset: number): number {
  const len = readU32(bytes, offset);
  return len.next + len.value;
}

function rewriteImports(body: Uint8Array, capPages: bigint): Uint8Array | null {
  const count = readU32(body, 0);
  let pos = count.next;
  const parts: Uint8Array[] = [];
  let copiedFrom = 0;
  let changed = false;
  for (let i = 0; i < count.value; i++) {
    pos = skipName(body, skipName(body, pos));
    const kind = body[pos++];
    switch (kind) {
      case 0x00:
        pos = readU32(body, pos).next;
        break;
      case 0x01: {
        pos += 1; // reftype
        const flags = body[pos++] as number;
        pos = readU32(body, pos).next;
        if (flags & LIMIT_HAS_MAX) pos = readU32(body, pos).next;
        break;
      }
      case 0x02: {
        const capped = capLimits(body, pos, capPages);
        parts.push(body.subarray(copiedFrom, pos), capped.encoded);
        pos = capped.next;
        copiedFrom = pos;
        changed = true;
        break;
      }
      case 0x03:
        pos += 2;
        break;
      case 0x04:
        pos = readU32(body, pos + 1).next;
        break;
      default:
        throw new ModuleError('invalid_module', `unknown import kind ${kind}`);
    }
  }
  if (!changed) return null;
  parts.push(body.subarray(copiedFrom));
  return concatBytes(parts);
}

function rewriteMemories(body: Uint8Array, capPages: bigint): Uint8Array {
  const count = readU32(body, 0);
  const parts: Uint8Array[] = [body.subarray(0, count.next)];
  let pos = count.next;
  for (let i = 0; i < count.value; i++) {
    const capped = capLimits(body, pos, capPages);
    parts.push(capped.encoded);
    pos = capped.next;
  }
  parts.push(body.subarray(pos));
  return concatBytes(parts);
}

/** Throws `ModuleError` `invalid_module` unless `bytes` start with the WebAssembly magic number. */
export function assertWasmMagic(bytes: Uint8Array): void {
  if (
    bytes.length < 8 ||
    bytes[0] !== 0 ||
    bytes[1] !== 0x61 ||
    bytes[2] !== 0x73 ||
    bytes[3] !== 0x6d
  ) {
    throw new ModuleError('invalid_module', 'not a WebAssembly module (bad magic number)');
  }
}

/**
 * Returns a copy of `bytes` whose memories all have a maximum of at most `maxBytes`
 * (rounded down to whole 64 KiB pages). Throws `ModuleError` with `invalid_module` for
 * bytes that are not a WebAssembly module, or `memory_limit` when a memory's initial
 * size is already above the cap.
 */
export function capMemory(bytes: Uint8Array, maxBytes: number): Uint8Array {
  assertWasmMagic(bytes);
  const capPages = BigInt(Math.max(0, Math.floor(maxBytes / PAGE)));
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  let pos = 8;
  try {
    while (pos < bytes.length) {
      const id = bytes[pos] as number;
      const size = readU32(bytes, pos + 1);
      const end = size.next + size.value;
      if (end > bytes.length)
        throw new ModuleError('invalid_module', `section ${id} runs past the end of the module`);
      const body = bytes.subarray(size.next, end);
      const rewritten =
        id === SECTION_IMPORT
          ? rewriteImports(body, capPages)
          : id === SECTION_MEMORY
            ? rewriteMemories(body, capPages)
            : null;
      if (rewritten) parts.push(Uint8Array.of(id), encodeUnsigned(rewritten.length), rewritten);
      else parts.push(bytes.subarray(pos, end));
      pos = end;
    }
  } catch (error) {
    if (error instanceof ModuleError) throw error;
    throw new ModuleError('invalid_module', `malformed module: ${(error as Error).message}`);
  }
  return concatBytes(parts);
}
