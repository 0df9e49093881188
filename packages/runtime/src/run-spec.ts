/**
 * @module What a run asks for and what it gives back: the sandbox's public contract.
 *
 * The same types travel from the agent through `NodeSandbox`/`BrowserSandbox` into a
 * worker and back, so they hold only structured-cloneable data (strings, numbers,
 * Uint8Arrays, plain objects).
 */

/** Why a run did not finish with exit code 0. Stable codes: never change their meaning. */
export type RunFailureCode =
  | 'time_limit'
  | 'memory_limit'
  | 'output_limit'
  | 'trap'
  | 'exit_code'
  | 'invalid_module'
  /** A native variant's program did what its sandbox forbids (the agent's native runner). */
  | 'sandbox_violation';

/** Resource caps for one run. */
export interface RunLimits {
  /** Cap on the guest's linear memory, in bytes (applied at compile time, rounded down to 64 KiB pages). */
  readonly memoryBytes: number;
  /** Wall-clock time before the run is killed, in milliseconds. */
  readonly wallTimeMs: number;
  /** Cap on stdout + stderr + bytes by which files grow (+128 per new directory entry), in bytes. */
  readonly outputBytes: number;
}

/** Limits used for anything a spec leaves out. */
export const DEFAULT_LIMITS: RunLimits = Object.freeze({
  memoryBytes: 256 * 1024 * 1024,
  wallTimeMs: 60_000,
  outputBytes: 64 * 1024 * 1024,
});

/** One run of a WASI command module. */
export interface RunSpec {
  /** argv[1..]. */
  readonly args?: readonly string[];
  /** argv[0], default 'main.wasm'. */
  readonly program?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly stdin?: Uint8Array;
  /** Preopened directories: guest path ('/' or '/data' …) → files inside, keyed by relative path ('in.txt', 'sub/x.bin'). Task inputs use { '/': files }. */
  readonly dirs?: Readonly<Record<string, Readonly<Record<string, Uint8Array>>>>;
  readonly limits?: Partial<RunLimits>;
  /** Seed of the guest's `random_get`; the same seed gives the same bytes. Default 0. */
  readonly seed?: number;
  /**
   * Watch the run's checkpoint (`/checkpoint/state` and `/checkpoint/progress` in the
   * `'/'` preopen, docs/checkpoints.md) and tell the receiver's `checkpoint` of it as the
   * guest writes it, at most once per `intervalMs`. Absent: not watched.
   */
  readonly checkpoint?: CheckpointWatchSpec;
}

/** How a run's checkpoint is watched. */
export interface CheckpointWatchSpec {
  /** Least time between two snapshots told to the host, in milliseconds. */
  readonly intervalMs: number;
  /** A state larger than this is not told (its progress still is), in bytes. */
  readonly maxBytes: number;
}

/** What a running guest checkpointed: its saved state and the fraction of its work done. */
export interface CheckpointSnapshot {
  /** The new bytes of `/checkpoint/state`; null when unchanged since the last snapshot, or too large. */
  readonly state: Uint8Array | null;
  /** The number in `/checkpoint/progress`, clamped to [0, 1]; null when absent or unreadable. */
  readonly fraction: number | null;
}

/** What a run produced. */
export interface RunResult {
  /** null when killed/trapped. */
  readonly exitCode: number | null;
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
  /** Files created or changed during the run, per preopened dir, same keying as RunSpec.dirs. */
  readonly dirs: Record<string, Record<string, Uint8Array>>;
  readonly failure?: { readonly code: RunFailureCode; readonly message: string };
  readonly durationMs: number;
}

/**
 * Told how a run started with a callback ended: `resolve` with its result (a guest's
 * failure is a result too), or `reject` when there is none (the sandbox closed, the
 * run could not be sent to a worker, or its signal aborted). Exactly one is called, once,
 * from inside the sandbox's own bookkeeping: neither may throw.
 */
export interface RunReceiver {
  resolve(result: RunResult): void;
  reject(error: Error): void;
  /** Told each checkpoint of a run whose spec asks for `checkpoint`, before it ends; must not throw. */
  checkpoint?(snapshot: CheckpointSnapshot): void;
}

/** The spec's limits with defaults filled in (for any limit absent or undefined). */
export function resolveLimits(limits: Partial<RunLimits> | undefined): RunLimits {
  return {
    memoryBytes: limits?.memoryBytes ?? DEFAULT_LIMITS.memoryBytes,
    wallTimeMs: limits?.wallTimeMs ?? DEFAULT_LIMITS.wallTimeMs,
    outputBytes: limits?.outputBytes ?? DEFAULT_LIMITS.outputBytes,
  };
}
