/**
 * @module Runs one WASI command module to completion in the current thread.
 *
 * This is what a worker calls; hosts call the sandboxes instead, which add the
 * wall-time watchdog and keep a guest's crash away from the host. Here the run's file
 * system and context are built from the spec, the module is instantiated with the
 * complete import object, `_start` is called, and however it ends — return,
 * `proc_exit`, a trap or a limit — the outcome is classified into a `RunResult`.
 */

import { CheckpointWatch } from './checkpoint-watch.js';
import { InstancePool } from './instance-pool.js';
import { MemoryPool } from './memory-pool.js';
import { failed } from './run-failure.js';
import {
  type CheckpointSnapshot,
  type RunFailureCode,
  type RunLimits,
  type RunResult,
  type RunSpec,
  resolveLimits,
} from './run-spec.js';
import { LimitExceeded, ProcExit } from './wasi/guest-exit.js';
import {
  buildTree,
  changedFiles,
  type DirNode,
  type FileNode,
  FsContext,
  listFiles,
} from './wasi/memfs.js';
import { completeImports, preview1Imports } from './wasi/preview1.js';
import { WasiContext } from './wasi/wasi-context.js';
import { GROW_FAILED_EXPORT } from './wasm/grow-probe.js';
import { importedMemoryLimits, MEMORY_IMPORT, type MemoryLimits } from './wasm/memory-import.js';
import { isMarkedReusable } from './wasm/reuse-mark.js';

const MIB = 1024 * 1024;

interface Preopen {
  readonly name: string;
  readonly root: DirNode;
  readonly original: ReadonlyMap<string, FileNode>;
}

type Outcome = { exitCode: number | null; failure?: { code: RunFailureCode; message: string } };

/**
 * Instantiates synchronously where allowed (workers, Node): the asynchronous form
 * costs a round trip through the event loop per run. Browsers refuse synchronous
 * instantiation of large modules on the main thread; that falls back to async.
 */
function instantiate(
  module: WebAssembly.Module,
  imports: WebAssembly.Imports,
): WebAssembly.Instance | Promise<WebAssembly.Instance> {
  try {
    return new WebAssembly.Instance(module, imports);
  } catch (error) {
    if (error instanceof RangeError) return WebAssembly.instantiate(module, imports);
    throw error;
  }
}

/** True when memory is so close to the cap that a failed run is best explained by it. */
export function reachedMemoryCap(byteLength: number, capBytes: number): boolean {
  return byteLength + Math.max(MIB, capBytes / 16) > capBytes;
}

function classify(error: unknown): Outcome {
  if (error instanceof ProcExit) {
    return error.code === 0
      ? { exitCode: 0 }
      : {
          exitCode: error.code,
          failure: { code: 'exit_code', message: `exited with code ${error.code}` },
        };
  }
  if (error instanceof LimitExceeded)
    return { exitCode: null, failure: { code: error.code, message: error.message } };
  const message = error instanceof Error ? error.message : String(error);
  return { exitCode: null, failure: { code: 'trap', message: `trap: ${message}` } };
}

function emptyResult(start: number, code: RunFailureCode, message: string): RunResult {
  return failed(code, message, performance.now() - start);
}

/** How a slot links one module: its import object, and the limits of its memory if the runtime provides it. */
interface Linking {
  readonly imports: WebAssembly.Imports;
  readonly memory: MemoryLimits | null;
  /** Whether an instance may be kept for the next run (its memory provided and the module marked). */
  readonly reusable: boolean;
}

/** A reusable process: its context, the wrapped system calls bound to it, and linking per module. */
interface ProcessSlot {
  readonly ctx: WasiContext;
  readonly preview1: ReturnType<typeof preview1Imports>;
  readonly linking: WeakMap<WebAssembly.Module, Linking>;
  readonly instances: InstancePool;
}

/** Slots not in use; concurrent runs in one thread each take their own. */
const spareSlots: ProcessSlot[] = [];
const MAX_SPARE_SLOTS = 4;
const memories = new MemoryPool();

function takeSlot(): ProcessSlot {
  const spare = spareSlots.pop();
  if (spare) return spare;
  const ctx = new WasiContext();
  return {
    ctx,
    preview1: preview1Imports(ctx),
    linking: new WeakMap(),
    instances: new InstancePool(),
  };
}

function linkingFor(slot: ProcessSlot, module: WebAssembly.Module): Linking {
  let linking = slot.linking.get(module);
  if (linking === undefined) {
    const imports = completeImports(module, slot.preview1);
    const wantsMemory = WebAssembly.Module.imports(module).some(
      (i) =>
        i.kind === 'memory' && i.module === MEMORY_IMPORT.module && i.name === MEMORY_IMPORT.name,
    );
    const memory = wantsMemory ? importedMemoryLimits(module) : null;
    linking = { imports, memory, reusable: memory !== null && isMarkedReusable(module) };
    slot.linking.set(module, linking);
  }
  return linking;
}

const NO_FILES: ReadonlyMap<string, FileNode> = new Map();

/** Builds and preopens the run's directories. */
function openDirs(ctx: WasiContext, dirs: RunSpec['dirs']): Preopen[] {
  const preopens: Preopen[] = [];
  if (dirs === undefined) return preopens;
  const fs = new FsContext(() => ctx.clock.realtime());
  for (const name in dirs) {
    const files = dirs[name];
    if (files === undefined || !Object.hasOwn(dirs, name)) continue;
    const root = buildTree(fs, files);
    // libc matches paths against preopen names by prefix; '/data/' would never match.
    ctx.preopen(
      name.length > 1 && name.endsWith('/') ? name.replace(/(?<=.)\/+$/, '') : name,
      root,
    );
    preopens.push({ name, root, original: root.size === 0 ? NO_FILES : listFiles(root) });
  }
  return preopens;
}

/**
 * Runs `module` (a WASI preview1 command) with `spec` in the current thread. Never throws
 * for guest misbehaviour. `onCheckpoint` is told of the guest's checkpoints while it runs
 * when `spec.checkpoint` asks for them.
 */
export async function runModule(
  module: WebAssembly.Module,
  spec: RunSpec,
  onCheckpoint?: (snapshot: CheckpointSnapshot) => void,
): Promise<RunResult> {
  const slot = takeSlot();
  try {
    return await runInSlot(slot, module, spec, onCheckpoint);
  } finally {
    slot.ctx.release();
    if (spareSlots.length < MAX_SPARE_SLOTS) spareSlots.push(slot);
  }
}

async function runInSlot(
  slot: ProcessSlot,
  module: WebAssembly.Module,
  spec: RunSpec,
  onCheckpoint: ((snapshot: CheckpointSnapshot) => void) | undefined,
): Promise<RunResult> {
  const start = performance.now();
  const limits = resolveLimits(spec.limits);
  const { ctx } = slot;
  ctx.reset({
    argv: [spec.program ?? 'main.wasm', ...(spec.args ?? [])],
    env: spec.env ?? {},
    stdin: spec.stdin ?? new Uint8Array(0),
    seed: spec.seed ?? 0,
    outputBytes: limits.outputBytes,
    deadline: start + limits.wallTimeMs,
  });
  const preopens = openDirs(ctx, spec.dirs);
  const root = preopens.find((p) => p.name === '/')?.root;
  if (spec.checkpoint !== undefined && onCheckpoint !== undefined && root !== undefined) {
    const watch = new CheckpointWatch(root, spec.checkpoint, onCheckpoint, start);
    ctx.onFileWritten = (node) => watch.written(node);
  }

  const { imports, memory: memoryLimits, reusable } = linkingFor(slot, module);
  let kept = reusable ? slot.instances.take(module) : undefined;
  let provided = kept?.memory;
  if (kept === undefined && memoryLimits !== null) {
    provided = memories.take(memoryLimits);
    imports[MEMORY_IMPORT.module] = { ...imports[MEMORY_IMPORT.module], memory: provided };
  }
  try {
    let instance = kept?.instance;
    if (instance === undefined) {
      try {
        const made = instantiate(module, imports);
        instance = made instanceof WebAssembly.Instance ? made : await made;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return emptyResult(start, 'invalid_module', `cannot instantiate: ${message}`);
      }
      if (reusable && provided !== undefined)
        kept = slot.instances.adopt(module, instance, provided);
    }
    return runInstance(ctx, instance, limits, preopens, start);
  } finally {
    if (kept !== undefined) {
      slot.instances.give(module, kept);
    } else if (provided !== undefined && memoryLimits !== null) {
      memories.give(memoryLimits, provided);
    }
    delete imports[MEMORY_IMPORT.module]?.memory;
  }
}

function runInstance(
  ctx: WasiContext,
  instance: WebAssembly.Instance,
  limits: RunLimits,
  preopens: readonly Preopen[],
  start: number,
): RunResult {
  const { memory, _start } = instance.exports;
  if (memory instanceof WebAssembly.Memory) ctx.memory.attach(memory);
  if (typeof _start !== 'function')
    return emptyResult(start, 'invalid_module', 'module has no _start export (not a WASI command)');

  let outcome: Outcome;
  try {
    (_start as () => void)();
    outcome = { exitCode: 0 };
  } catch (error) {
    outcome = classify(error);
  }
  const failed = outcome.failure?.code === 'trap' || outcome.failure?.code === 'exit_code';
  const probe = instance.exports[GROW_FAILED_EXPORT];
  const growRefused = probe instanceof WebAssembly.Global && probe.value === 1;
  if (failed && (growRefused || reachedMemoryCap(ctx.memory.byteLength, limits.memoryBytes))) {
    outcome = {
      exitCode: outcome.exitCode,
      failure: {
        code: 'memory_limit',
        message: `${growRefused ? 'memory.grow refused by' : 'reached'} the memory limit of ${limits.memoryBytes} bytes (${outcome.failure?.message})`,
      },
    };
  }

  const dirs: Record<string, Record<string, Uint8Array>> = {};
  for (const p of preopens) dirs[p.name] = changedFiles(p.root, p.original);
  return {
    exitCode: outcome.exitCode,
    stdout: ctx.stdout.bytes(),
    stderr: ctx.stderr.bytes(),
    dirs,
    ...(outcome.failure ? { failure: outcome.failure } : {}),
    durationMs: performance.now() - start,
  };
}
