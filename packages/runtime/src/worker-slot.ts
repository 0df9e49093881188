/**
 * @module A worker as the pool (worker-pool.ts) holds it — a slot: its handle, the line
 * of jobs posted to it, the modules it keeps, its progress cell and its watchdog timer —
 * and a job as the pool queues it. Shared by the pool and the module numbering of its
 * tasks (worker-modules.ts).
 */
import type { RunLimits, RunReceiver, RunSpec } from './run-spec.js';
import type { TaskProgress } from './task-progress.js';
import type { WorkerHandle } from './worker-handle.js';

/** A run the pool queued or posted. */
export interface Job {
  readonly id: number;
  readonly module: WebAssembly.Module;
  readonly spec: RunSpec;
  /** The spec's limits, resolved. */
  readonly limits: RunLimits;
  /** Aborts the job; the pool listens once per signal, not once per job. */
  readonly signal: AbortSignal | undefined;
  /** Told the outcome, once. */
  readonly receiver: RunReceiver;
  /** Aborted while posted but not running: its result will be dropped. */
  cancelled?: boolean;
}

/** One worker of the pool, with what the host knows of it. */
export interface Slot {
  handle: WorkerHandle;
  /** Posted tasks whose results have not arrived, in order. */
  readonly jobs: Job[];
  /** Module numbers this worker holds, least recently used first. */
  readonly modules: Map<number, true>;
  /** The module number last posted, the last in `modules` (0: none). */
  latestModule: number;
  readonly progress: TaskProgress | undefined;
  /** Without a progress cell: when the task at the head of `jobs` started, at the latest (epoch ms). */
  headSince: number;
  timer?: ReturnType<typeof setTimeout>;
  /** When the armed timer fires (epoch ms). */
  timerAt: number;
}
