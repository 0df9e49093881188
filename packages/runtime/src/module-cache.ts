/**
 * @module Compiles a module once per host: bytes → memory-capped `WebAssembly.Module`,
 * cached by sha256 of the bytes and the cap.
 *
 * Compiling a 50 MB module takes seconds; instantiating a compiled one per task takes
 * milliseconds. The cache also remembers each module's cap so that a run can tell a
 * memory bomb from an ordinary crash, and routes `memory.grow` through a probe
 * (`grow-probe.ts`) so a refused allocation is recognised even far below the cap.
 */
import { ModuleError } from './module-error.js';
import { DEFAULT_LIMITS } from './run-spec.js';
import { sha256Hex } from './sha256.js';
import { stripCustomSections } from './wasm/custom-sections.js';
import { instrumentGrow } from './wasm/grow-probe.js';
import { assertWasmMagic, capMemory } from './wasm/memory-cap.js';
import { importMemory } from './wasm/memory-import.js';
import { markReusable } from './wasm/reuse-mark.js';

/**
 * Modules above this size are not scanned for instance reuse: the scan reads every
 * instruction (~0.9 s for a 54 MB module), while keeping an instance saves ~8 µs per
 * task — worth it for thousands of short tasks of a small module, not for a large
 * program whose fresh instance starts in ~1.6 ms anyway.
 */
const REUSE_MAX_MODULE_BYTES = 8 * 1024 * 1024;

/** An LRU cache of compiled, memory-capped modules. */
export class ModuleCache {
  private readonly entries = new Map<string, Promise<WebAssembly.Module>>();
  private readonly caps = new WeakMap<WebAssembly.Module, number>();

  /**
   * Compiled code of a large module takes tens of MB, so only a few are kept. `hash`
   * (lowercase hex SHA-256) may be supplied by the host: Web Crypto copies its input,
   * which for a 50 MB module cost more than the hashing (NodeSandbox passes node:crypto).
   */
  constructor(
    private readonly maxEntries = 16,
    private readonly hash: (bytes: Uint8Array) => Promise<string> | string = sha256Hex,
  ) {}

  /** Compiles `bytes` with memory capped at `memoryBytes`; throws `ModuleError` for bytes that cannot run. */
  async compile(
    bytes: Uint8Array,
    memoryBytes: number = DEFAULT_LIMITS.memoryBytes,
  ): Promise<WebAssembly.Module> {
    const key = `${await this.hash(bytes)}:${memoryBytes}`;
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const pending = this.build(bytes, memoryBytes);
    this.entries.set(key, pending);
    pending.catch(() => this.entries.delete(key));
    while (this.entries.size > this.maxEntries)
      this.entries.delete(this.entries.keys().next().value as string);
    return pending;
  }

  /** The memory cap a module was compiled with, if it came from this cache. */
  capOf(module: WebAssembly.Module): number | undefined {
    return this.caps.get(module);
  }

  private async build(bytes: Uint8Array, memoryBytes: number): Promise<WebAssembly.Module> {
    // The grow probe leaves memory declarations alone, so it goes first; the memory
    // import caps as it rewrites (one copy of a large module less), and where it does
    // not apply capMemory caps instead.
    assertWasmMagic(bytes);
    const lean = stripCustomSections(bytes);
    const probed = instrumentGrow(lean);
    const imported = importMemory(probed ?? lean, memoryBytes);
    const rewritten = imported
      ? ((imported.byteLength <= REUSE_MAX_MODULE_BYTES ? markReusable(imported) : null) ??
        imported)
      : probed || lean !== bytes
        ? capMemory(probed ?? lean, memoryBytes)
        : null;
    let module: WebAssembly.Module;
    try {
      module = await compileBytes(rewritten ?? capMemory(lean, memoryBytes));
    } catch (error) {
      // The rewrites are aids (the grow probe) and optimisations (the imported memory,
      // the reuse mark): should the engine ever refuse a rewritten module, run the
      // module as its author wrote it (capped, its custom sections stripped) rather
      // than reject it.
      if (rewritten === null) throw error;
      module = await compileBytes(capMemory(lean, memoryBytes));
    }
    this.caps.set(module, memoryBytes);
    return module;
  }
}

async function compileBytes(bytes: Uint8Array): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  } catch (error) {
    throw new ModuleError('invalid_module', `module does not compile: ${(error as Error).message}`);
  }
}
