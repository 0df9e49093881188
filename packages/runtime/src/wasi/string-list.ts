/**
 * @module A process's argv or environ: NUL-terminated UTF-8 strings, packed into one
 * buffer kept from run to run.
 *
 * Encoding each string with `TextEncoder.encode` gave every run one new ArrayBuffer per
 * string, whose allocation and collection cost more than the rest of a trivial task's
 * setup. Only the first `bytes` bytes of the buffer are ever copied out, so what a
 * previous run left beyond them is never readable.
 */
import type { GuestMemory } from './guest-memory.js';

const encoder = new TextEncoder();

/** Strings as the guest reads them with `args_get`/`environ_get`. */
export class StringList {
  private buffer = new Uint8Array(256);
  /** Offset just past each string's NUL. */
  private readonly ends: number[] = [];
  private length = 0;

  /** Number of strings. */
  get count(): number {
    return this.ends.length;
  }

  /** Bytes of all strings, NULs included. */
  get bytes(): number {
    return this.length;
  }

  clear(): void {
    this.ends.length = 0;
    this.length = 0;
  }

  /** Appends `text` (UTF-8, then a NUL). */
  add(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    this.reserve(this.length + text.length * 3 + 1);
    const buffer = this.buffer;
    let at = this.length;
    let i = 0;
    // ASCII by hand: encodeInto costs a view and a result object per call.
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) break;
      buffer[at++] = c;
    }
    if (i < text.length) at += encoder.encodeInto(text.slice(i), buffer.subarray(at)).written;
    buffer[at++] = 0;
    this.length = at;
    this.ends.push(at);
  }

  /** Writes a pointer to each string at `ptrs` and the strings at `buf`, as preview1 lays them out. */
  writeTo(memory: GuestMemory, ptrs: number, buf: number): void {
    const target = memory.bytes(buf, this.length);
    let start = 0;
    for (let i = 0; i < this.ends.length; i++) {
      memory.setU32(ptrs + i * 4, buf + start);
      start = this.ends[i] as number;
    }
    target.set(this.buffer.subarray(0, this.length));
  }

  private reserve(capacity: number): void {
    if (capacity <= this.buffer.length) return;
    const next = new Uint8Array(Math.max(capacity, this.buffer.length * 2));
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }
}
