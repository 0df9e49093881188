/**
 * @module @anygrid/runtime — the WASI sandbox every provider uses.
 *
 * Browser-safe: nothing here imports `node:`. `runModule` runs a module in the current
 * thread (inside a worker); hosts use `NodeSandbox` from `@anygrid/runtime/node` or
 * `BrowserSandbox` from `@anygrid/runtime/browser`, which add workers and a watchdog.
 */

export {
  BENCHMARK_OPS_PER_ROUND,
  type BenchmarkOptions,
  type BenchmarkResult,
  type BenchmarkSandbox,
  benchmarkModule,
  runBenchmark,
} from './benchmark.js';
export {
  CHECKPOINT_PROGRESS,
  CHECKPOINT_STATE,
  parseFraction,
} from './checkpoint-watch.js';
export { ModuleError } from './module-error.js';
export { runModule } from './run-module.js';
export type {
  CheckpointSnapshot,
  CheckpointWatchSpec,
  RunFailureCode,
  RunLimits,
  RunReceiver,
  RunResult,
  RunSpec,
} from './run-spec.js';
export { DEFAULT_LIMITS, resolveLimits } from './run-spec.js';
export { sha256HexSync } from './sha256.js';
export { capMemory } from './wasm/memory-cap.js';
