/**
 * @module A growable byte buffer that collects a standard stream's output.
 *
 * Guests make thousands of small `fd_write` calls; appending into a doubling buffer
 * costs one copy per byte and no allocation per call.
 */

/** Copies `len` bytes; a loop below 64 bytes, where creating a subarray costs more than the copy. */
export function copyBytes(
  src: Uint8Array,
  start: number,
  len: number,
  dst: Uint8Array,
  at: number,
): void {
  if (len < 64) {
    for (let i = 0; i < len; i++) dst[at + i] = src[start + i] as number;
  } else {
    dst.set(src.subarray(start, start + len), at);
  }
}

const EMPTY = new Uint8Array(0);
/** A buffer up to this size is kept by `clear()` for the next run, sparing an allocation per task. */
const KEEP_BYTES = 64 * 1024;

/** Accumulates bytes; `bytes()` returns exactly what was written. */
export class ByteSink {
  // Allocated on first write: most runs leave stderr empty.
  private buffer = EMPTY;
  private length = 0;

  /** Empties the sink. A small buffer is kept: what it held is never readable again, since only the first `size` bytes are. */
  clear(): void {
    this.length = 0;
    if (this.buffer.length > KEEP_BYTES) this.buffer = EMPTY;
  }

  get size(): number {
    return this.length;
  }

  /** Appends `len` bytes of `src` from `start`; short runs are copied by hand to avoid allocating a view. */
  append(src: Uint8Array, start = 0, len = src.length - start): void {
    const end = this.length + len;
    if (end > this.buffer.length) {
      const next = new Uint8Array(Math.max(end, this.buffer.length * 2, 4096));
      next.set(this.buffer.subarray(0, this.length));
      this.buffer = next;
    }
    copyBytes(src, start, len, this.buffer, this.length);
    this.length = end;
  }

  /** A copy of the collected bytes, sized exactly. */
  bytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}
