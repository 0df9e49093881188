/**
 * @module Instances kept from run to run, for modules marked reusable
 * (`wasm/reuse-mark.ts`): instantiating a trivial module and collecting the instance
 * afterwards cost a worker more than running it.
 *
 * A kept instance is put back exactly as instantiation left it as soon as its run ends,
 * so nothing of one run reaches the next: its memory is zero-filled and the data
 * segments are written again (as recorded from the memory of a fresh instance, which
 * holds nothing else), and every exported global gets its initial value back — the
 * mark guarantees that every mutable global is exported and that tables and segments
 * never change. An instance whose memory grew cannot be put back, and is dropped.
 *
 * Instances are bound to the import object they were made with, so each process slot
 * of `run-module.ts` has its own pool.
 */

/** A kept instance larger than this is dropped rather than kept (bytes of memory). */
const MAX_INSTANCE_BYTES = 32 * 1024 * 1024;
/** Memory kept across all instances of one pool. */
const MAX_TOTAL_BYTES = 64 * 1024 * 1024;
/** Modules with a kept instance (least recently returned dropped first). */
const MAX_MODULES = 8;
/** Zero runs shorter than this inside the data are copied rather than split on. */
const MIN_GAP = 64;

/** The non-zero stretches of a fresh instance's memory: its data segments. */
type DataImage = ReadonlyArray<{ readonly at: number; readonly bytes: Uint8Array }>;

/** An instance with what it takes to put it back. */
export interface KeptInstance {
  readonly instance: WebAssembly.Instance;
  readonly memory: WebAssembly.Memory;
  readonly image: DataImage;
  /** Memory size at instantiation, in bytes. */
  readonly bytes: number;
  /** Every exported global with its value at instantiation. */
  readonly globals: ReadonlyArray<readonly [WebAssembly.Global, unknown]>;
}

/** Records the non-zero stretches of `memory`; read a word at a time, since memories are page-sized. */
function imageOf(memory: WebAssembly.Memory): DataImage {
  const words = new Uint32Array(memory.buffer);
  const bytes = new Uint8Array(memory.buffer);
  const image: Array<{ at: number; bytes: Uint8Array }> = [];
  let i = 0;
  while (i < words.length) {
    if (words[i] === 0) {
      i++;
      continue;
    }
    const from = i;
    let zeros = 0;
    for (; i < words.length && zeros * 4 < MIN_GAP; i++) zeros = words[i] === 0 ? zeros + 1 : 0;
    image.push({ at: from * 4, bytes: bytes.slice(from * 4, (i - zeros) * 4) });
  }
  return image;
}

/** Spare instances of one process slot, by module. */
export class InstancePool {
  private readonly kept = new Map<WebAssembly.Module, KeptInstance>();
  private readonly images = new WeakMap<WebAssembly.Module, DataImage>();
  private bytes = 0;

  /** The module's kept instance, ready to run, if there is one. */
  take(module: WebAssembly.Module): KeptInstance | undefined {
    const kept = this.kept.get(module);
    if (kept === undefined) return undefined;
    this.kept.delete(module);
    this.bytes -= kept.bytes;
    return kept;
  }

  /**
   * Records how to put a fresh instance of a reusable module back; call before it runs.
   * Undefined if it cannot be (a global JavaScript cannot read).
   */
  adopt(
    module: WebAssembly.Module,
    instance: WebAssembly.Instance,
    memory: WebAssembly.Memory,
  ): KeptInstance | undefined {
    const bytes = memory.buffer.byteLength;
    if (bytes > MAX_INSTANCE_BYTES) return undefined;
    const globals: Array<readonly [WebAssembly.Global, unknown]> = [];
    for (const value of Object.values(instance.exports)) {
      if (!(value instanceof WebAssembly.Global)) continue;
      try {
        globals.push([value, value.value]);
      } catch {
        return undefined;
      }
    }
    let image = this.images.get(module);
    if (image === undefined) {
      image = imageOf(memory);
      this.images.set(module, image);
    }
    return { instance, memory, image, bytes, globals };
  }

  /** Puts `kept` back as instantiation left it and keeps it, or drops it if it cannot be. */
  give(module: WebAssembly.Module, kept: KeptInstance): void {
    const { memory, image, globals } = kept;
    if (memory.buffer.byteLength !== kept.bytes) return;
    const u8 = new Uint8Array(memory.buffer);
    u8.fill(0);
    for (const { at, bytes } of image) u8.set(bytes, at);
    for (const [global, value] of globals) {
      // Immutable globals never differ, so are never written (which would throw).
      if (!Object.is(global.value, value)) global.value = value;
    }
    this.kept.delete(module);
    this.kept.set(module, kept);
    this.bytes += kept.bytes;
    while (this.kept.size > MAX_MODULES || this.bytes > MAX_TOTAL_BYTES) {
      const [oldest, dropped] = this.kept.entries().next().value as [
        WebAssembly.Module,
        KeptInstance,
      ];
      this.kept.delete(oldest);
      this.bytes -= dropped.bytes;
    }
  }
}
