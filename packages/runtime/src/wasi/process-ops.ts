/**
 * @module The process-level system calls: arguments, environment, clocks, randomness,
 * exit and yield. Clocks and randomness are the run's deterministic sources.
 */
import { ClockId } from './abi.js';
import { Errno, fail } from './errno.js';
import { ProcExit } from './guest-exit.js';
import type { StringList } from './string-list.js';
import { CLOCK_RESOLUTION_NS } from './virtual-clock.js';
import type { WasiContext } from './wasi-context.js';

function writeSizes(ctx: WasiContext, list: StringList, countPtr: number, sizePtr: number): void {
  ctx.memory.setU32(countPtr, list.count);
  ctx.memory.setU32(sizePtr, list.bytes);
}

/** Builds the process imports over `ctx`. */
export function processImports(ctx: WasiContext) {
  const { memory, clock } = ctx;
  const isClock = (id: number) =>
    id === ClockId.REALTIME ||
    id === ClockId.MONOTONIC ||
    id === ClockId.PROCESS_CPUTIME ||
    id === ClockId.THREAD_CPUTIME;
  return {
    args_get(ptrs: number, buf: number): number {
      ctx.argv.writeTo(memory, ptrs, buf);
      return Errno.SUCCESS;
    },
    args_sizes_get(countPtr: number, sizePtr: number): number {
      writeSizes(ctx, ctx.argv, countPtr, sizePtr);
      return Errno.SUCCESS;
    },
    environ_get(ptrs: number, buf: number): number {
      ctx.environ.writeTo(memory, ptrs, buf);
      return Errno.SUCCESS;
    },
    environ_sizes_get(countPtr: number, sizePtr: number): number {
      writeSizes(ctx, ctx.environ, countPtr, sizePtr);
      return Errno.SUCCESS;
    },
    clock_res_get(id: number, ptr: number): number {
      if (!isClock(id)) fail(Errno.INVAL);
      memory.setU64(ptr, CLOCK_RESOLUTION_NS);
      return Errno.SUCCESS;
    },
    clock_time_get(id: number, _precision: bigint, ptr: number): number {
      if (!isClock(id)) fail(Errno.INVAL);
      memory.check(ptr, 8);
      memory.setU64(ptr, id === ClockId.REALTIME ? clock.realtime() : clock.monotonic());
      return Errno.SUCCESS;
    },
    random_get(ptr: number, len: number): number {
      ctx.random.fill(memory.bytes(ptr, len));
      return Errno.SUCCESS;
    },
    proc_exit(code: number): never {
      throw new ProcExit(code >>> 0);
    },
    proc_raise(_signal: number): number {
      return Errno.NOSYS;
    },
    sched_yield(): number {
      return Errno.SUCCESS;
    },
  };
}
