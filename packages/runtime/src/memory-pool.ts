/**
 * @module Recycled linear memories for modules whose memory is imported
 * (`wasm/memory-import.ts`): a worker hands each run a memory the previous run of the
 * same limits left behind, instead of allocating one.
 *
 * A memory is only taken back if it is still at its initial size (it never grew) and
 * small enough that zeroing it costs less than a fresh allocation; it is zero-filled at
 * once, so nothing of a finished guest stays readable, and the next guest finds exactly
 * what a fresh memory holds: the initial size, all zeroes, then its data segments.
 */
import type { MemoryLimits } from './wasm/memory-import.js';

const PAGE = 65536;
/** Above this, zero-filling a memory costs about what allocating a fresh one does. */
const MAX_POOLED_BYTES = 8 * 1024 * 1024;
/** Concurrent runs in one thread are rare (one per worker); two per size is plenty. */
const MAX_PER_LIMITS = 2;
/** Distinct memory shapes kept (least recently returned kept). */
const MAX_SHAPES = 8;

/** Spare memories, by limits. */
export class MemoryPool {
  private readonly spare = new Map<string, WebAssembly.Memory[]>();

  /** A zeroed memory of `limits` at its initial size. */
  take(limits: MemoryLimits): WebAssembly.Memory {
    const spare = this.spare.get(key(limits))?.pop();
    return spare ?? new WebAssembly.Memory(limits);
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
    this.spare.delete(k);
    this.spare.set(k, list);
    while (this.spare.size > MAX_SHAPES)
      this.spare.delete(this.spare.keys().next().value as string);
  }
}

function key(limits: MemoryLimits): string {
  return `${limits.initial}:${limits.maximum}`;
}
