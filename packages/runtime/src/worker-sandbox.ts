/**
 * @module The behaviour `NodeSandbox` and `BrowserSandbox` share: compile with a cache,
 * run on a pool of workers, close. Each subclass only supplies how to make a worker.
 */
import { ModuleCache } from './module-cache.js';
import type { CheckpointSnapshot, RunReceiver, RunResult, RunSpec } from './run-spec.js';
import type { WorkerFactory } from './worker-handle.js';
import { WorkerPool } from './worker-pool.js';

/** A sandbox over a pool of workers. */
export class WorkerSandbox {
  private readonly cache: ModuleCache;
  private readonly pool: WorkerPool;

  /** `hash`: lowercase hex SHA-256 of module bytes, if the host has a faster one than Web Crypto. */
  constructor(
    factory: WorkerFactory,
    maxWorkers: number,
    hash?: (bytes: Uint8Array) => Promise<string> | string,
  ) {
    this.pool = new WorkerPool(factory, Math.max(1, maxWorkers));
    this.cache = new ModuleCache(undefined, hash);
  }

  /** Compile once per host; cached by sha256 of the bytes + memory cap; a WebAssembly.Module is postable to workers. Throws `ModuleError`. */
  compile(bytes: Uint8Array, memoryBytes?: number): Promise<WebAssembly.Module> {
    return this.cache.compile(bytes, memoryBytes);
  }

  /**
   * Run in a worker with the limits applied; never throws for guest misbehaviour — returns failure.
   * Rejects only when the sandbox is closed or `options.signal` aborts, which terminates the run's worker.
   */
  run(
    module: WebAssembly.Module,
    spec: RunSpec,
    options: {
      signal?: AbortSignal;
      /** Told of the guest's checkpoints while it runs, when `spec.checkpoint` asks for them. */
      onCheckpoint?: (snapshot: CheckpointSnapshot) => void;
    } = {},
  ): Promise<RunResult> {
    // The cap actually compiled into the module is what a memory bomb runs into.
    const cap = this.cache.capOf(module);
    return this.pool.run(module, spec, options.signal, cap, options.onCheckpoint);
  }

  /**
   * `run` telling `receiver` how the run ended instead of settling a promise, for hosts
   * that start thousands of runs a second; never calls it before returning.
   */
  start(
    module: WebAssembly.Module,
    spec: RunSpec,
    receiver: RunReceiver,
    options: { signal?: AbortSignal } = {},
  ): void {
    this.pool.start(module, spec, receiver, options.signal, this.cache.capOf(module));
  }

  /** Terminates the workers; runs still pending reject. */
  close(): Promise<void> {
    return this.pool.close();
  }
}
