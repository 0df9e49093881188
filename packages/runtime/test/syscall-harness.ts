/**
 * @module Calls preview1 system calls directly, without a guest module: a WasiContext
 * over a plain WebAssembly.Memory, with helpers to place strings and read results.
 * For tests of syscall semantics that the conformance suite does not pin down.
 */
import { buildTree, type DirNode, FsContext } from '../src/wasi/memfs.js';
import { preview1Imports } from '../src/wasi/preview1.js';
import { WasiContext } from '../src/wasi/wasi-context.js';

/** A context, its imports and a scratch allocator in its memory. */
export interface SyscallHarness {
  readonly ctx: WasiContext;
  readonly root: DirNode;
  readonly call: Record<string, (...args: any[]) => number>;
  readonly memory: WebAssembly.Memory;
  /** Writes a string into memory; returns [ptr, len]. */
  str(s: string): [number, number];
  /** Reserves `n` zeroed bytes; returns the pointer. */
  alloc(n: number): number;
  u32(ptr: number): number;
  u64(ptr: number): bigint;
}

/** A harness with `files` preopened as '/' at fd 3. */
export function syscallHarness(
  files: Record<string, Uint8Array> = {},
  outputBytes = 1 << 20,
): SyscallHarness {
  const ctx = new WasiContext({
    argv: ['test'],
    env: {},
    stdin: new Uint8Array(0),
    seed: 1,
    outputBytes,
    deadline: Number.POSITIVE_INFINITY,
  });
  const root = buildTree(new FsContext(() => ctx.clock.realtime()), files);
  ctx.preopen('/', root);
  const memory = new WebAssembly.Memory({ initial: 2 });
  ctx.memory.attach(memory);
  let next = 1024;
  const alloc = (n: number) => {
    const ptr = next;
    next += (n + 7) & ~7;
    new Uint8Array(memory.buffer, ptr, n).fill(0);
    return ptr;
  };
  return {
    ctx,
    root,
    call: preview1Imports(ctx),
    memory,
    alloc,
    str(s) {
      const bytes = new TextEncoder().encode(s);
      const ptr = alloc(bytes.length);
      new Uint8Array(memory.buffer).set(bytes, ptr);
      return [ptr, bytes.length];
    },
    u32: (ptr) => new DataView(memory.buffer).getUint32(ptr, true),
    u64: (ptr) => new DataView(memory.buffer).getBigUint64(ptr, true),
  };
}
