/**
 * @module A growable byte buffer that collects a standard stream's output.
 *
 * Guests make thousands of small `fd_write` calls; appending into a doubling buffer
 * costs one copy per byte and no allocation per call.
 */

/** Accumulates bytes; `bytes()` returns exactly what was written. */
export class ByteSink {
  private buffer = new Uint8Array(4096);
  private length = 0;

  get size(): number {
    return this.length;
  }

  append(src: Uint8Array): void {
    const end = this.length + src.length;
    if (end > this.buffer.length) {
      const next = new Uint8Array(Math.max(end, this.buffer.length * 2));
      next.set(this.buffer.subarray(0, this.length));
      this.buffer = next;
    }
    this.buffer.set(src, this.length);
    this.length = end;
  }

  /** A copy of the collected bytes, sized exactly. */
  bytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}
