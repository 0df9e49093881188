/**
 * @module Assembles the complete `wasi_snapshot_preview1` import object and fills in
 * whatever else a module imports, so that instantiation never fails on imports.
 *
 * Every preview1 function is wrapped once: the wrapper checks the wall-time deadline,
 * turns a thrown `WasiError` into its errno and a bad pointer into EFAULT, and lets
 * `ProcExit`/`LimitExceeded` unwind the guest. A preview1 name this layer does not know
 * returns ENOSYS; a function from any other module traps when called, not when linked.
 */
import { Errno, WasiError } from './errno.js';
import { fdImports } from './fd-ops.js';
import { pathImports } from './path-ops.js';
import { pollImports } from './poll-ops.js';
import { processImports } from './process-ops.js';
import { socketImports } from './socket-ops.js';
import type { WasiContext } from './wasi-context.js';

export const PREVIEW1 = 'wasi_snapshot_preview1';

// biome-ignore lint/suspicious/noExplicitAny: import functions take the guest's raw i32/i64 values.
type SysCall = (...args: any[]) => number;

/** The preview1 functions over `ctx`, each wrapped by the dispatcher. */
export function preview1Imports(ctx: WasiContext): Record<string, SysCall> {
  const raw: Record<string, SysCall> = {
    ...fdImports(ctx),
    ...pathImports(ctx),
    ...processImports(ctx),
    ...pollImports(ctx),
    ...socketImports(ctx),
  };
  const wrapped: Record<string, SysCall> = {};
  for (const [name, fn] of Object.entries(raw)) {
    // Fixed parameters rather than rest arguments: no array per call. Preview1
    // functions take at most 9 parameters; extra undefined ones are ignored.
    wrapped[name] = (a, b, c, d, e, f, g, h, i) => {
      ctx.tick();
      try {
        return fn(a, b, c, d, e, f, g, h, i);
      } catch (error) {
        if (error instanceof WasiError) return error.errno;
        if (error instanceof RangeError) return Errno.FAULT;
        throw error;
      }
    };
  }
  return wrapped;
}

/**
 * The import object for `module`: preview1 as given, ENOSYS for unknown preview1
 * functions, and a trapping stub for functions of any other module.
 */
export function completeImports(
  module: WebAssembly.Module,
  preview1: Record<string, SysCall>,
): WebAssembly.Imports {
  const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {
    [PREVIEW1]: { ...preview1 },
  };
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind !== 'function') continue;
    const ns = imports[imp.module] ?? {};
    imports[imp.module] = ns;
    if (ns[imp.name] !== undefined) continue;
    if (imp.module === PREVIEW1) {
      ns[imp.name] = () => Errno.NOSYS;
    } else {
      const what = `${imp.module}.${imp.name}`;
      ns[imp.name] = () => {
        throw new WebAssembly.RuntimeError(`called unresolved import ${what}`);
      };
    }
  }
  return imports;
}
