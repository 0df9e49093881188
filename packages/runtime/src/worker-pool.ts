/**
 * @module A pool of warm workers with a watchdog, shared by the Node and browser
 * sandboxes (they differ only in how a worker is made: `WorkerFactory`).
 *
 * Each worker runs one task at a time, but holds the next one already posted, so it
 * never idles waiting for the host between short tasks. The watchdog times the task
 * at the head of a worker's line from the moment it starts (when the previous result
 * arrives), never from when it was posted. A worker is reused after a normal result;
 * it is terminated and replaced when its running task overruns the wall-time limit
 * (the only way to stop a guest spinning in pure WebAssembly), is aborted, or when the
 * worker dies. That task gets its result; the task queued behind it goes back to the
 * front of the pool's queue, untouched.
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

/** Tasks posted to one worker at once: the running one and the next. */
const PIPELINE_DEPTH = 2;
/** setTimeout fires at once for delays above 2^31-1 ms; such a limit means "none". */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Job {
  readonly id: number;
  readonly module: WebAssembly.Module;
  readonly spec: RunSpec;
  resolve: (result: RunResult) => void;
  reject: (error: Error) => void;
  /** Aborted while already posted behind another task: its result will be dropped. */
  cancelled?: boolean;
}

interface Slot {
  handle: WorkerHandle;
  /** Posted tasks in order; `jobs[0]` is running. */
  readonly jobs: Job[];
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

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new DOMException('run aborted', 'AbortError');
}

/** Runs jobs on at most `maxWorkers` workers, queueing the rest. */
export class WorkerPool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly create: WorkerFactory,
    private readonly maxWorkers: number,
  ) {}

  /**
   * Queues a run; resolves with its result, including failures. Rejects only if the
   * pool is closed, the request cannot be posted, or `signal` aborts (a running task's
   * worker is then terminated at once).
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

  /** Terminates every worker; queued and running jobs reject. */
  async close(): Promise<void> {
    this.closed = true;
    const error = new Error('sandbox closed');
    for (const job of this.queue.splice(0)) job.reject(error);
    for (const slot of [...this.slots]) {
      for (const job of slot.jobs) job.reject(error);
      this.discard(slot);
    }
  }

  private abort(job: Job, reason: Error): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) this.queue.splice(queued, 1);
    for (const slot of this.slots) {
      const at = slot.jobs.indexOf(job);
      if (at === 0) this.retire(slot);
      else if (at > 0) job.cancelled = true;
    }
    job.reject(reason);
    this.dispatch();
  }

  private spawn(): Slot {
    const slot: Slot = { handle: undefined as unknown as WorkerHandle, jobs: [], startedAt: 0 };
    slot.handle = this.create({
      onMessage: (response) => this.finish(slot, response),
      onCrash: (reason) => this.fail(slot, 'trap', `worker died: ${reason}`),
    });
    this.slots.add(slot);
    return slot;
  }

  /** An idle worker, else a new one, else one with room in its line. */
  private pickSlot(): Slot | undefined {
    let roomy: Slot | undefined;
    for (const slot of this.slots) {
      if (slot.jobs.length === 0) return slot;
      if (!roomy && slot.jobs.length < PIPELINE_DEPTH) roomy = slot;
    }
    if (this.slots.size < this.maxWorkers) return this.spawn();
    return roomy;
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.closed) {
      const slot = this.pickSlot();
      if (slot === undefined) return;
      const job = this.queue.shift() as Job;
      const limits = resolveLimits(job.spec.limits);
      try {
        slot.handle.post({
          type: 'run',
          id: job.id,
          module: job.module,
          spec: { ...job.spec, limits },
        });
      } catch (error) {
        // The request could not be cloned (a caller's mistake, not the guest's); the
        // worker never saw it.
        job.reject(error instanceof Error ? error : new Error(String(error)));
        continue;
      }
      slot.jobs.push(job);
      if (slot.jobs.length === 1) {
        slot.handle.setBusy?.(true);
        this.startClock(slot);
      }
    }
  }

  /** Starts the watchdog for the task now running at the head of `slot`'s line. */
  private startClock(slot: Slot): void {
    const head = slot.jobs[0];
    if (head === undefined) return;
    const { wallTimeMs } = resolveLimits(head.spec.limits);
    slot.startedAt = performance.now();
    slot.timer = setTimeout(
      () => this.fail(slot, 'time_limit', `wall-time limit of ${wallTimeMs} ms exceeded`),
      Math.min(wallTimeMs, MAX_TIMER_MS),
    );
  }

  private finish(slot: Slot, response: RunResponse): void {
    const head = slot.jobs[0];
    if (!this.slots.has(slot) || head === undefined || response.id !== head.id) return;
    clearTimeout(slot.timer);
    slot.jobs.shift();
    if (slot.jobs.length > 0) this.startClock(slot);
    else slot.handle.setBusy?.(false);
    if (!head.cancelled) head.resolve(response.result);
    this.dispatch();
  }

  /** Ends the running task of `slot` with a failure and replaces the worker. */
  private fail(slot: Slot, code: RunFailureCode, message: string): void {
    if (!this.slots.has(slot)) return;
    const head = slot.jobs[0];
    const duration = performance.now() - slot.startedAt;
    this.retire(slot);
    head?.resolve(failed(code, message, duration));
    this.dispatch();
  }

  /** Terminates `slot`'s worker; the tasks waiting behind its running one go back to the front of the queue. */
  private retire(slot: Slot): void {
    const waiting = slot.jobs.slice(1).filter((job) => !job.cancelled);
    this.discard(slot);
    this.queue.unshift(...waiting);
  }

  private discard(slot: Slot): void {
    clearTimeout(slot.timer);
    this.slots.delete(slot);
    slot.jobs.length = 0;
    slot.handle.terminate();
  }
}
