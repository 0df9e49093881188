/**
 * @module
 * The standard benchmark: one fixed WASI module (examples/src/benchmark.c, carried here
 * as bytes) that every provider — the Node agent and the browser page alike — runs in its
 * own sandbox, so that the speeds hosts report (operations per second) compare across
 * hosts and runtimes. One round is `BENCHMARK_OPS_PER_ROUND` operations of a fixed mix of
 * integer and floating-point work; the host times a run and divides.
 *
 * A first short run lets the engine compile and tier up the module and sizes the timed
 * runs so that they take about `targetMs` together: a run much shorter says more about
 * start-up than about speed, and a fixed round count would keep a slow phone busy for a
 * minute. The fastest of the timed runs counts: on a shared machine other processes only
 * ever slow a run down, so the best one is the closest to what the host can do.
 * Browser-safe: no `node:` imports.
 */

import { BENCHMARK_MODULE_BASE64 } from './benchmark-module.js';
import type { RunResult, RunSpec } from './run-spec.js';

/** Operations in one round of the benchmark (benchmark.c: 2048 integer and 2048 float steps). */
export const BENCHMARK_OPS_PER_ROUND = 4096;

/** Rounds of the first, untimed run. */
const WARM_UP_ROUNDS = 32;

/** Most rounds one run may ask for (benchmark.c refuses more than 1e8). */
const MAX_ROUNDS = 10_000_000;

/** The module needs a few pages (a 4 KiB table and its stack). */
const MEMORY_BYTES = 4 * 1024 * 1024;

/** A timed run shorter than this share of the target is run again, longer. */
const SHORT_RUN = 0.4;

/** The benchmark module's bytes: the same on every host. */
export function benchmarkModule(): Uint8Array {
  const text = atob(BENCHMARK_MODULE_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** What the benchmark needs of a sandbox: `NodeSandbox` and `BrowserSandbox` both fit. */
export interface BenchmarkSandbox {
  compile(bytes: Uint8Array, memoryBytes?: number): Promise<WebAssembly.Module>;
  run(module: WebAssembly.Module, spec: RunSpec): Promise<RunResult>;
}

export interface BenchmarkOptions {
  /** About how long the timed runs should take together, in milliseconds; default 300. */
  readonly targetMs?: number;
  /** Timed runs, the fastest of which counts; default 3. */
  readonly repeats?: number;
}

export interface BenchmarkResult {
  /** Operations per second: what a host reports as its `speed`. */
  readonly speed: number;
  /** Rounds of the fastest timed run. */
  readonly rounds: number;
  /** How long the fastest timed run took, in milliseconds, as the sandbox measured it. */
  readonly durationMs: number;
}

/** Runs the standard benchmark in the sandbox; throws when the module does not run as it should. */
export async function runBenchmark(
  sandbox: BenchmarkSandbox,
  options: BenchmarkOptions = {},
): Promise<BenchmarkResult> {
  const repeats = Math.max(1, Math.floor(options.repeats ?? 3));
  const perRunMs = (options.targetMs ?? 300) / repeats;
  const module = await sandbox.compile(benchmarkModule(), MEMORY_BYTES);
  let rounds = WARM_UP_ROUNDS;
  let ms = await timedRun(sandbox, module, rounds);
  // Sized from the warm-up, which ran before the engine tiered up: a run that came out
  // too short is sized again from itself.
  for (let attempt = 0; attempt < 4; attempt++) {
    rounds = Math.min(MAX_ROUNDS, Math.max(1, Math.ceil((rounds * perRunMs) / Math.max(ms, 1))));
    ms = await timedRun(sandbox, module, rounds);
    if (ms >= perRunMs * SHORT_RUN || rounds === MAX_ROUNDS) break;
  }
  let best = ms;
  for (let run = 1; run < repeats; run++)
    best = Math.min(best, await timedRun(sandbox, module, rounds));
  return {
    speed: (rounds * BENCHMARK_OPS_PER_ROUND) / (Math.max(best, 0.001) / 1000),
    rounds,
    durationMs: best,
  };
}

async function timedRun(
  sandbox: BenchmarkSandbox,
  module: WebAssembly.Module,
  rounds: number,
): Promise<number> {
  const result = await sandbox.run(module, {
    program: 'benchmark.wasm',
    args: [String(rounds)],
    limits: { memoryBytes: MEMORY_BYTES, wallTimeMs: 120_000, outputBytes: 4096 },
  });
  const out = new TextDecoder().decode(result.stdout);
  if (result.exitCode !== 0 || !/^[0-9]+\n$/.test(out)) {
    const why = result.failure?.message ?? `exit code ${result.exitCode}, output ${out.trim()}`;
    throw new Error(`the benchmark module did not run as it should: ${why}`);
  }
  return result.durationMs;
}
