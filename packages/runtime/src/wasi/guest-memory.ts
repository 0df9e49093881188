/**
 * @module Typed access to the guest's linear memory from system calls.
 *
 * `memory.grow` replaces the underlying ArrayBuffer, so views are re-created whenever
 * the buffer changed, never cached across calls blindly. Every pointer/length pair is
 * bounds-checked: an out-of-range pointer is EFAULT, not a silently clamped subarray.
 */
import { Errno, fail } from './errno.js';

const decoder = new TextDecoder('utf-8', { fatal: false });
const NO_BYTES = new Uint8Array(0);
const NO_DATA = new DataView(new ArrayBuffer(0));
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

/** Views of one instance's memory. */
export class GuestMemory {
  private memory: WebAssembly.Memory | undefined;
  private buffer: ArrayBuffer | undefined;
  private u8View = NO_BYTES;
  private dvView = NO_DATA;

  /** Attaches the instance's exported memory (done once, after instantiation). */
  attach(memory: WebAssembly.Memory): void {
    this.memory = memory;
  }

  /** Forgets the memory (between runs), so nothing of one guest is reachable from the next. */
  detach(): void {
    this.memory = undefined;
    this.buffer = undefined;
    this.u8View = NO_BYTES;
    this.dvView = NO_DATA;
  }

  /** Current size in bytes (0 before attach). */
  get byteLength(): number {
    return this.memory?.buffer.byteLength ?? 0;
  }

  private refresh(): void {
    const buffer = this.memory?.buffer as ArrayBuffer | undefined;
    if (buffer === undefined) fail(Errno.FAULT);
    if (buffer !== this.buffer) {
      this.buffer = buffer;
      this.u8View = new Uint8Array(buffer);
      this.dvView = new DataView(buffer);
    }
  }

  get u8(): Uint8Array {
    this.refresh();
    return this.u8View;
  }

  get dv(): DataView {
    this.refresh();
    return this.dvView;
  }

  /** A view of `len` bytes at `ptr`; EFAULT if out of bounds. */
  bytes(ptr: number, len: number): Uint8Array {
    const u8 = this.u8;
    if (ptr < 0 || len < 0 || ptr + len > u8.length) fail(Errno.FAULT);
    return u8.subarray(ptr, ptr + len);
  }

  /** Decodes a UTF-8 path argument; EILSEQ for invalid UTF-8. */
  string(ptr: number, len: number): string {
    try {
      return strictDecoder.decode(this.bytes(ptr, len));
    } catch (error) {
      if (error instanceof TypeError) fail(Errno.ILSEQ);
      throw error;
    }
  }

  /** Decodes bytes leniently (used for diagnostics). */
  lenientString(ptr: number, len: number): string {
    return decoder.decode(this.bytes(ptr, len));
  }

  /**
   * Calls `visit(buf, len)` for each entry of an iovec array, stopping early when it
   * returns false. Every entry is bounds-checked first, so a bad one fails the whole
   * call with EFAULT before any byte moves. No per-call arrays: hot on fd_write.
   */
  eachIovec(
    ptr: number,
    count: number,
    visit: (buf: number, len: number) => boolean | undefined,
  ): void {
    const dv = this.dv;
    const size = dv.byteLength;
    if (ptr < 0 || ptr + count * 8 > size) fail(Errno.FAULT);
    for (let i = 0; i < count; i++) {
      const buf = dv.getUint32(ptr + i * 8, true);
      if (buf + dv.getUint32(ptr + i * 8 + 4, true) > size) fail(Errno.FAULT);
    }
    for (let i = 0; i < count; i++) {
      if (visit(dv.getUint32(ptr + i * 8, true), dv.getUint32(ptr + i * 8 + 4, true)) === false)
        return;
    }
  }

  setU32(ptr: number, value: number): void {
    const dv = this.dv;
    if (ptr < 0 || ptr + 4 > dv.byteLength) fail(Errno.FAULT);
    dv.setUint32(ptr, value, true);
  }

  setU64(ptr: number, value: bigint): void {
    const dv = this.dv;
    if (ptr < 0 || ptr + 8 > dv.byteLength) fail(Errno.FAULT);
    dv.setBigUint64(ptr, value, true);
  }

  /** Checks that `len` bytes at `ptr` are inside memory before a structure is written there. */
  check(ptr: number, len: number): void {
    if (ptr < 0 || ptr + len > this.u8.length) fail(Errno.FAULT);
  }
}
