/**
 * @module A pool of warm workers that run one task at a time each, with a watchdog.
 *
 * Shared by the Node and browser sandboxes, which only differ in how a worker is made
 * (`WorkerFactory`). A worker is reused after a normal result; it is terminated and
 * replaced when its task overruns the wall-time limit (the only way to stop a guest
 * spinning in pure WebAssembly) or when it dies, and that task gets a failure result.
 */
import { type RunFailureCode, type RunResult, type RunSpec, resolveLimits } from './run-spec.js';
import type { RunRequest, RunResponse } from './worker-protocol.js';

/** What the pool needs from a worker. */
export interface WorkerHandle {
  post(request: RunRequest): void;
  terminate(): void;
  /** Whether the worker should keep the host alive (Node: ref/unref while busy/idle). */
  setBusy?(busy: boolean): void;
}

/** Callbacks a factory wires to its worker's events. */
export interface WorkerEvents {
  onMessage(response: RunResponse): void;
  onCrash(reason: string): void;
}

/** Creates a worker whose events call `events`. */
export type WorkerFactory = (events: WorkerEvents) => WorkerHandle;

const MAX_TIMER_MS = 2 ** 31 - 1;

interface Job {
  readonly id: number;
  readonly module: WebAssembly.Module;
  readonly spec: RunSpec;
  resolve: (result: RunResult) => void;
  reject: (error: Error) => void;
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new DOMException('run aborted', 'AbortError');
}

interface Slot {
  handle: WorkerHandle;
  job?: Job;
  timer?: ReturnType<typeof setTimeout>;
  startedAt: number;
}

function failed(code: RunFailureCode, message: string, durationMs: number): RunResult {
  return {
    exitCode: null,
    stdout: new Uint8Array(0),
    stderr: new Uint8Array(0),
    dirs: {},
    failure: { code, message },
    durationMs,
  };
}

/** Runs jobs on at most `maxWorkers` workers, queueing the rest. */
export class WorkerPool {
  private readonly slots = new Set<Slot>();
  private readonly idle: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly create: WorkerFactory,
    private readonly maxWorkers: number,
  ) {}

  /**
   * Queues a run; resolves with its result, including failures. Rejects only if the
   * pool is closed or `signal` aborts (the run's worker is then terminated at once).
   */
  run(module: WebAssembly.Module, spec: RunSpec, signal?: AbortSignal): Promise<RunResult> {
    if (this.closed) return Promise.reject(new Error('sandbox is closed'));
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<RunResult>((resolve, reject) => {
      const job: Job = { id: this.nextId++, module, spec, resolve, reject };
      if (signal) {
        const onAbort = () => this.abort(job, abortReason(signal));
        signal.addEventListener('abort', onAbort, { once: true });
        const settle = () => signal.removeEventListener('abort', onAbort);
        job.resolve = (r) => {
          settle();
          resolve(r);
        };
        job.reject = (e) => {
          settle();
          reject(e);
        };
      }
      this.queue.push(job);
      this.dispatch();
    });
  }

  private abort(job: Job, reason: Error): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) this.queue.splice(queued, 1);
    for (const slot of this.slots) {
      if (slot.job !== job) continue;
      this.discard(slot);
      this.dispatch();
    }
    job.reject(reason);
  }

  /** Terminates every worker; queued and running jobs reject. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('sandbox closed'));
    for (const slot of [...this.slots]) {
      slot.job?.reject(new Error('sandbox closed'));
      this.discard(slot);
    }
  }

  private spawn(): Slot {
    const slot: Slot = { handle: undefined as unknown as WorkerHandle, startedAt: 0 };
    slot.handle = this.create({
      onMessage: (response) => this.finish(slot, response),
      onCrash: (reason) => this.crash(slot, reason),
    });
    this.slots.add(slot);
    return slot;
  }

  private dispatch(): void {
    while (this.queue.length > 0 && (this.idle.length > 0 || this.slots.size < this.maxWorkers)) {
      const slot = this.idle.pop() ?? this.spawn();
      const job = this.queue.shift() as Job;
      const limits = resolveLimits(job.spec.limits);
      slot.job = job;
      slot.startedAt = performance.now();
      // setTimeout fires at once for delays above 2^31-1 ms; such a limit means "none".
      slot.timer = setTimeout(() => this.timeout(slot), Math.min(limits.wallTimeMs, MAX_TIMER_MS));
      slot.handle.setBusy?.(true);
      try {
        slot.handle.post({
          type: 'run',
          id: job.id,
          module: job.module,
          spec: { ...job.spec, limits },
        });
      } catch (error) {
        // The request could not be cloned (a caller's mistake, not the guest's): the
        // worker is untouched and goes back to the idle list.
        clearTimeout(slot.timer);
        slot.job = undefined;
        slot.handle.setBusy?.(false);
        this.idle.push(slot);
        job.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  private finish(slot: Slot, response: RunResponse): void {
    const job = slot.job;
    if (!this.slots.has(slot) || job === undefined || response.id !== job.id) return;
    clearTimeout(slot.timer);
    slot.job = undefined;
    slot.handle.setBusy?.(false);
    this.idle.push(slot);
    job.resolve(response.result);
    this.dispatch();
  }

  private timeout(slot: Slot): void {
    const job = slot.job;
    if (!this.slots.has(slot) || job === undefined) return;
    const limits = resolveLimits(job.spec.limits);
    this.discard(slot);
    job.resolve(
      failed(
        'time_limit',
        `wall-time limit of ${limits.wallTimeMs} ms exceeded`,
        performance.now() - slot.startedAt,
      ),
    );
    this.dispatch();
  }

  private crash(slot: Slot, reason: string): void {
    if (!this.slots.has(slot)) return;
    const job = slot.job;
    this.discard(slot);
    job?.resolve(failed('trap', `worker died: ${reason}`, performance.now() - slot.startedAt));
    this.dispatch();
  }

  private discard(slot: Slot): void {
    clearTimeout(slot.timer);
    this.slots.delete(slot);
    const i = this.idle.indexOf(slot);
    if (i >= 0) this.idle.splice(i, 1);
    slot.job = undefined;
    slot.handle.terminate();
  }
}
