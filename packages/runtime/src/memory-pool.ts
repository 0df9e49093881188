/**
 * @module Recycled linear memories for modules whose memory is imported
 * (`wasm/memory-import.ts`): a worker hands each run a memory the previous run of the
 * same limits left behind, instead of allocating one.
 *
 * A memory is only taken back if it is still at its initial size (it never grew); it is
 * zero-filled at once, so nothing of a finished guest stays readable, and the next guest
 * finds exactly what a fresh memory holds: the initial size, all zeroes, then its data
 * segments.
 */
import type { MemoryLimits } from './wasm/memory-import.js';

const PAGE = 65536;
/**
 * Zero-filling memory whose pages are already mapped runs at memory bandwidth (~3 ms for
 * 54 MB here), while a fresh memory pays a page fault for each 4 KiB page it touches
 * (~14 µs each on this VM: 180 ms for 54 MB), so even large memories are worth keeping,
 * within a budget per thread.
 */
const MAX_POOLED_BYTES = 32 * 1024 * 1024;
const MAX_TOTAL_BYTES = 64 * 1024 * 1024;
/** Concurrent runs in one thread are rare (one per worker); two per size is plenty. */
const MAX_PER_LIMITS = 2;
/** Distinct memory shapes kept (least recently returned dropped first). */
const MAX_SHAPES = 8;

/** Spare memories, by limits. */
export class MemoryPool {
  private readonly spare = new Map<string, WebAssembly.Memory[]>();
  private bytes = 0;

  /** A zeroed memory of `limits` at its initial size. */
  take(limits: MemoryLimits): WebAssembly.Memory {
    const spare = this.spare.get(key(limits))?.pop();
    if (spare === undefined) return new WebAssembly.Memory(limits);
    this.bytes -= spare.buffer.byteLength;
    return spare;
  }

  /** Hands back a memory a run has finished with; kept only if reusable as if fresh. */
  give(limits: MemoryLimits, memory: WebAssembly.Memory): void {
    const bytes = limits.initial * PAGE;
    if (bytes > MAX_POOLED_BYTES || memory.buffer.byteLength !== bytes) return;
    const k = key(limits);
    const list = this.spare.get(k) ?? [];
    if (list.length >= MAX_PER_LIMITS) return;
    new Uint8Array(memory.buffer).fill(0);
    list.push(memory);
    this.bytes += bytes;
    this.spare.delete(k);
    this.spare.set(k, list);
    while (this.spare.size > MAX_SHAPES || this.bytes > MAX_TOTAL_BYTES) {
      const oldest = this.spare.keys().next().value as string;
      for (const m of this.spare.get(oldest) ?? []) this.bytes -= m.buffer.byteLength;
      this.spare.delete(oldest);
    }
  }
}

function key(limits: MemoryLimits): string {
  return `${limits.initial}:${limits.maximum}`;
}
