/**
 * @module A pool of warm workers with a watchdog, shared by the Node and browser
 * sandboxes (they differ only in how a worker is made: `WorkerFactory`, worker-handle.ts).
 *
 * Each worker runs one task at a time, but holds a line of tasks already posted, so it
 * never idles waiting for the host between short tasks. The line is as deep as about
 * four milliseconds of recent tasks (2 to 128): deep for trivial tasks, whose messages
 * would otherwise cost more than their runs, shallow for long ones, so that a worker
 * never hoards work another could start. Tasks go out and results come back in batches
 * (`worker-protocol.ts`).
 *
 * The watchdog times every task from the moment it starts, never from when it was
 * posted: with shared memory the worker marks each start in a progress cell
 * (`task-progress.ts`); without, it reports each result at once and the next task is
 * taken to start when that result arrives. A worker is reused after normal results; it
 * is terminated and replaced when its running task overruns the wall-time limit (the
 * only way to stop a guest spinning in pure WebAssembly), is aborted, or when the worker
 * dies. That task gets its result; the other tasks in the worker's line go back to the
 * front of the pool's queue, untouched — including any that had finished but whose
 * results had not yet been reported: they run again (runs are deterministic).
 */
import { abortReason, failed } from './run-failure.js';
import {
  type CheckpointSnapshot,
  DEFAULT_LIMITS,
  type RunFailureCode,
  type RunLimits,
  type RunReceiver,
  type RunResult,
  type RunSpec,
} from './run-spec.js';
import { createProgress, epochNow } from './task-progress.js';
import type { WorkerFactory, WorkerHandle } from './worker-handle.js';
import { WorkerModules } from './worker-modules.js';
import {
  type CheckpointMessage,
  type ResultsMessage,
  type RunTask,
  unpackResult,
} from './worker-protocol.js';
import type { Job, Slot } from './worker-slot.js';

/** Bounds of a worker's line of posted tasks, and the work it should hold, in ms. */
const MIN_DEPTH = 2;
const MAX_DEPTH = 128;
const LINE_MS = 4;
/** setTimeout fires at once for delays above 2^31-1 ms; such a limit means "none". */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Dispatched jobs at the head of the queue beyond which it is compacted (amortised: at least half of it). */
const COMPACT_AFTER = 1024;

/** Runs jobs on at most `maxWorkers` workers, queueing the rest. */
export class WorkerPool {
  private readonly slots = new Set<Slot>();
  private queue: Job[] = [];
  private queueHead = 0;
  private nextId = 1;
  private closed = false;
  private dispatchScheduled = false;
  /** The modules each worker holds, and the task messages that name them. */
  private readonly modules = new WorkerModules();
  /** Recent task duration, ms (exponential moving average), sizing the lines. */
  private averageMs = LINE_MS;
  /** Signals the pool listens to: runs handed over together share one. */
  private readonly watched = new WeakSet<AbortSignal>();
  /** The limits of the last job: runs of one job share them, so they share one object. */
  private lastLimits: RunLimits = DEFAULT_LIMITS;

  constructor(
    private readonly create: WorkerFactory,
    private readonly maxWorkers: number,
  ) {}

  /**
   * Queues a run; resolves with its result, including failures. Rejects only if the
   * pool is closed, the request cannot be posted, or `signal` aborts (a running task's
   * worker is then terminated at once). `memoryBytes`, when given, overrides the spec's
   * memory limit (the cap compiled into the module).
   */
  run(
    module: WebAssembly.Module,
    spec: RunSpec,
    signal?: AbortSignal,
    memoryBytes?: number,
    onCheckpoint?: (snapshot: CheckpointSnapshot) => void,
  ): Promise<RunResult> {
    return new Promise<RunResult>((resolve, reject) =>
      this.start(
        module,
        spec,
        onCheckpoint === undefined
          ? { resolve, reject }
          : { resolve, reject, checkpoint: onCheckpoint },
        signal,
        memoryBytes,
      ),
    );
  }

  /**
   * `run` telling `receiver` instead of settling a promise: a caller that starts
   * thousands of runs a second saves the promise, its functions and its reactions.
   * `receiver` is never called before this returns.
   */
  start(
    module: WebAssembly.Module,
    spec: RunSpec,
    receiver: RunReceiver,
    signal?: AbortSignal,
    memoryBytes?: number,
  ): void {
    if (this.closed || signal?.aborted) {
      const error = signal?.aborted ? abortReason(signal) : new Error('sandbox is closed');
      queueMicrotask(() => receiver.reject(error));
      return;
    }
    if (signal !== undefined && !this.watched.has(signal)) {
      // One listener per signal rather than per job: a listener costs ~340 bytes and
      // ~1.5 µs, more than the rest of queueing a trivial run. It lives as long as the
      // signal does, and finds the signal's jobs by looking.
      this.watched.add(signal);
      signal.addEventListener('abort', () => this.abortAll(signal), { once: true });
    }
    const limits = this.limitsOf(spec.limits, memoryBytes);
    this.queue.push({ id: this.nextId++, module, spec, limits, signal, receiver });
    this.scheduleDispatch();
  }

  /** `given` with defaults filled in and `memoryBytes` overriding; the last such object when equal. */
  private limitsOf(
    given: Partial<RunLimits> | undefined,
    memoryBytes: number | undefined,
  ): RunLimits {
    const memory = memoryBytes ?? given?.memoryBytes ?? DEFAULT_LIMITS.memoryBytes;
    const wallTime = given?.wallTimeMs ?? DEFAULT_LIMITS.wallTimeMs;
    const output = given?.outputBytes ?? DEFAULT_LIMITS.outputBytes;
    const last = this.lastLimits;
    if (last.memoryBytes === memory && last.wallTimeMs === wallTime && last.outputBytes === output)
      return last;
    this.lastLimits = { memoryBytes: memory, wallTimeMs: wallTime, outputBytes: output };
    return this.lastLimits;
  }

  /** Terminates every worker; queued and running jobs reject. */
  async close(): Promise<void> {
    this.closed = true;
    const error = new Error('sandbox closed');
    for (const job of this.takeQueue()) job.receiver.reject(error);
    for (const slot of [...this.slots]) {
      for (const job of slot.jobs) job.receiver.reject(error);
      this.discard(slot);
    }
  }

  /** Dispatches once the caller's synchronous code is done, so runs started together go out as one batch per worker. */
  private scheduleDispatch(): void {
    if (this.dispatchScheduled) return;
    this.dispatchScheduled = true;
    queueMicrotask(() => {
      this.dispatchScheduled = false;
      this.dispatch();
    });
  }

  private get queued(): number {
    return this.queue.length - this.queueHead;
  }

  private takeQueue(): Job[] {
    const jobs = this.queue.slice(this.queueHead);
    this.queue = [];
    this.queueHead = 0;
    return jobs;
  }

  /** Aborts every job of `signal` still queued or posted, then dispatches what is left once. */
  private abortAll(signal: AbortSignal): void {
    const jobs: Job[] = [];
    for (let i = this.queueHead; i < this.queue.length; i++) {
      const job = this.queue[i] as Job;
      if (job.signal === signal) jobs.push(job);
    }
    for (const slot of this.slots)
      for (const job of slot.jobs) if (job.signal === signal && !job.cancelled) jobs.push(job);
    if (jobs.length === 0) return;
    const reason = abortReason(signal);
    for (const job of jobs) this.abort(job, reason);
    this.dispatch();
  }

  /** Takes `job` out of the queue, or out of its worker's line (ending the worker if it runs it), and rejects it. */
  private abort(job: Job, reason: Error): void {
    const queued = this.queue.indexOf(job, this.queueHead);
    if (queued >= 0) this.queue.splice(queued, 1);
    for (const slot of this.slots) {
      if (!slot.jobs.includes(job)) continue;
      if (this.runningJob(slot) === job) this.retire(slot);
      else job.cancelled = true;
    }
    job.receiver.reject(reason);
  }

  /** The job the worker is running now, as far as the host can tell. */
  private runningJob(slot: Slot): Job | undefined {
    if (slot.progress === undefined) return slot.jobs[0];
    const { id } = slot.progress.read();
    return slot.jobs.find((job) => job.id === id);
  }

  private spawn(): Slot {
    const progress = createProgress();
    const slot: Slot = {
      handle: undefined as unknown as WorkerHandle,
      jobs: [],
      modules: new Map(),
      latestModule: 0,
      progress,
      headSince: 0,
      timerAt: Number.POSITIVE_INFINITY,
    };
    slot.handle = this.create({
      onMessage: (message) => this.receive(slot, message),
      onCrash: (reason) => this.fail(slot, this.runningJob(slot), 'trap', `worker died: ${reason}`),
    });
    slot.handle.post({ type: 'init', ...(progress ? { progress: progress.buffer } : {}) });
    this.slots.add(slot);
    return slot;
  }

  private depth(): number {
    return Math.max(MIN_DEPTH, Math.min(MAX_DEPTH, Math.floor(LINE_MS / this.averageMs)));
  }

  /** An idle worker, else a new one, else the least loaded one with room in its line. */
  private pickSlot(depth: number): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.slots) {
      if (slot.jobs.length === 0) return slot;
      if (slot.jobs.length < depth && (!best || slot.jobs.length < best.jobs.length)) best = slot;
    }
    if (this.slots.size < this.maxWorkers) return this.spawn();
    return best;
  }

  private dispatch(): void {
    if (this.closed) return;
    // Every batch of results asks for a dispatch; most find nothing queued.
    if (this.queued === 0) {
      this.queue.length = 0;
      this.queueHead = 0;
      return;
    }
    const depth = this.depth();
    const now = epochNow();
    const batches = new Map<Slot, { tasks: RunTask[]; jobs: Job[]; forget: Set<number> }>();
    while (this.queued > 0) {
      const slot = this.pickSlot(depth);
      if (slot === undefined) break;
      const job = this.queue[this.queueHead++] as Job;
      let batch = batches.get(slot);
      if (batch === undefined) {
        batch = { tasks: [], jobs: [], forget: new Set() };
        batches.set(slot, batch);
      }
      batch.tasks.push(this.modules.task(slot, job, batch.forget));
      batch.jobs.push(job);
      // A task posted behind others starts no earlier than now.
      if (slot.jobs.length === 0) this.becomeBusy(slot, job);
      else this.arm(slot, now + job.limits.wallTimeMs);
      slot.jobs.push(job);
    }
    if (this.queueHead === this.queue.length) {
      this.queue.length = 0;
      this.queueHead = 0;
    } else if (this.queueHead >= COMPACT_AFTER && this.queueHead * 2 >= this.queue.length) {
      // Under sustained load the queue never runs empty, and the jobs before the head
      // (their specs, promises, results) would stay reachable for good.
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
    for (const [slot, batch] of batches) this.post(slot, batch);
  }

  private post(slot: Slot, batch: { tasks: RunTask[]; jobs: Job[]; forget: Set<number> }): void {
    const forget = batch.forget.size > 0 ? { forget: [...batch.forget] } : {};
    try {
      slot.handle.post({ type: 'run', tasks: batch.tasks, ...forget });
      return;
    } catch {
      // Something in the batch could not be cloned (a caller's mistake, not the
      // guest's). Post the tasks one by one so only the culprits fail.
    }
    const delivered = new Set<number>();
    for (let i = 0; i < batch.tasks.length; i++) {
      const job = batch.jobs[i] as Job;
      // Each with its module: the task that first carried it may be the one that fails.
      const task = { ...(batch.tasks[i] as RunTask), module: job.module };
      try {
        slot.handle.post({ type: 'run', tasks: [task], ...(i === 0 ? forget : {}) });
        delivered.add(task.moduleId);
      } catch (error) {
        slot.jobs.splice(slot.jobs.indexOf(job), 1);
        job.receiver.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
    for (const task of batch.tasks)
      if (!delivered.has(task.moduleId)) slot.modules.delete(task.moduleId);
    slot.latestModule = 0;
    if (slot.jobs.length === 0) this.becomeIdle(slot);
  }

  private becomeBusy(slot: Slot, first: Job): void {
    slot.handle.setBusy?.(true);
    slot.headSince = epochNow();
    this.arm(slot, slot.headSince + first.limits.wallTimeMs);
  }

  private becomeIdle(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.timerAt = Number.POSITIVE_INFINITY;
    slot.handle.setBusy?.(false);
  }

  /** Sets the watchdog of `slot` to look again at `at` (epoch ms), unless it already will sooner. */
  private arm(slot: Slot, at: number): void {
    if (at >= slot.timerAt) return;
    clearTimeout(slot.timer);
    const delay = Math.max(0, at - epochNow());
    if (delay > MAX_TIMER_MS) return;
    slot.timerAt = at;
    slot.timer = setTimeout(() => this.watch(slot), Math.ceil(delay));
  }

  /** The watchdog: fails the running task if it has overrun, else looks again when it could. */
  private watch(slot: Slot): void {
    slot.timer = undefined;
    slot.timerAt = Number.POSITIVE_INFINITY;
    if (!this.slots.has(slot) || slot.jobs.length === 0) return;
    const now = epochNow();
    let running: Job | undefined;
    let since = now;
    if (slot.progress === undefined) {
      running = slot.jobs[0];
      since = slot.headSince;
    } else {
      const cell = slot.progress.read();
      running = slot.jobs.find((job) => job.id === cell.id);
      if (running) since = cell.startedAt;
    }
    if (running && now - since >= running.limits.wallTimeMs) {
      const { wallTimeMs } = running.limits;
      this.fail(slot, running, 'time_limit', `wall-time limit of ${wallTimeMs} ms exceeded`);
      return;
    }
    // Tasks after the running one start no earlier than now.
    const at = running === undefined ? 0 : slot.jobs.indexOf(running);
    let next = running ? since + running.limits.wallTimeMs : Number.POSITIVE_INFINITY;
    for (let i = running ? at + 1 : 0; i < slot.jobs.length; i++)
      next = Math.min(next, now + (slot.jobs[i] as Job).limits.wallTimeMs);
    this.arm(slot, next);
  }

  private receive(slot: Slot, message: ResultsMessage | CheckpointMessage): void {
    if (!this.slots.has(slot)) return;
    if (message.type === 'checkpoint') {
      const job = slot.jobs.find((j) => j.id === message.id);
      if (job !== undefined && !job.cancelled)
        job.receiver.checkpoint?.({ state: message.state, fraction: message.fraction });
      return;
    }
    for (const sent of message.results) {
      const head = slot.jobs[0];
      if (head === undefined || head.id !== sent.id) continue;
      slot.jobs.shift();
      this.averageMs = this.averageMs * 0.9 + Math.max(sent.durationMs, 0.001) * 0.1;
      if (!head.cancelled) head.receiver.resolve(unpackResult(message.bytes, sent, head.spec));
    }
    if (slot.jobs.length === 0) {
      this.becomeIdle(slot);
    } else if (slot.progress === undefined) {
      slot.headSince = epochNow();
      this.arm(slot, slot.headSince + (slot.jobs[0] as Job).limits.wallTimeMs);
    }
    this.dispatch();
  }

  /** Ends `running` (the task `slot` is running, if known) with a failure and replaces the worker. */
  private fail(slot: Slot, running: Job | undefined, code: RunFailureCode, message: string): void {
    if (!this.slots.has(slot)) return;
    const job = running ?? slot.jobs[0];
    const since = slot.progress && running ? slot.progress.read().startedAt : slot.headSince;
    this.retire(slot, job);
    if (job && !job.cancelled) job.receiver.resolve(failed(code, message, epochNow() - since));
    this.dispatch();
  }

  /** Terminates `slot`'s worker; its other tasks go back to the front of the queue. */
  private retire(slot: Slot, except = this.runningJob(slot)): void {
    const back = slot.jobs.filter((job) => job !== except && !job.cancelled);
    this.discard(slot);
    const rest = this.queue.slice(this.queueHead);
    this.queue = [...back, ...rest];
    this.queueHead = 0;
  }

  private discard(slot: Slot): void {
    clearTimeout(slot.timer);
    this.slots.delete(slot);
    slot.jobs.length = 0;
    slot.handle.terminate();
  }
}
