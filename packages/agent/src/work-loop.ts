/**
 * @module
 * The agent's scheduler: keeps every slot busy and a buffer of assignments waiting.
 * Runs go to the sandbox, which executes `slots` at a time; when tasks are short, many
 * runs are handed over at once (`runsInFlight`) so they reach its workers in batches. It pulls when asked (work announced on the stream, a slot freed up) and on a
 * poll timer that backs off while the coordinator has nothing; one request is in flight
 * at a time, and a request asked for meanwhile follows it. Each assignment runs through
 * `runAssignment`; its report goes to the flusher. Cancelled replicas are dropped from
 * the buffer or stopped where they run. `drain` is the first half of a graceful stop:
 * it stops pulling, lets running tasks finish for a while, and returns what is left to
 * hand back.
 *
 * A replica whose deadline has passed is not started: the coordinator has given it to
 * another host by then, so running it is wasted work (it is reported to `onExpired` to be
 * handed back). Leases the heartbeat extends move the deadlines of buffered work with them.
 * While the coordinator is unreachable the loop keeps running what it holds, and pulls
 * again with backoff; `restore` gives it the work a previous run of the agent held.
 */

import { AnygridError, type Assignment, ErrorCode } from '@anygrid/protocol';
import type { Logger } from 'pino';
import { within } from './abortable.js';
import { Backoff, RECONNECT_BACKOFF } from './backoff.js';
import type { CoordinatorClient } from './coordinator-client.js';
import type { OutgoingReport } from './output-encoding.js';
import {
  adaptiveBuffer,
  type BufferSeconds,
  DEFAULT_BUFFER_SECONDS,
  estimateTaskMs,
  excessBuffered,
  IDLE_POLL,
  runsInFlight,
  SANDBOX_LINE_MS,
  STREAM_POLL_MS,
  TaskPace,
  wantedAssignments,
} from './pull-policy.js';
import { RunBatch } from './run-batch.js';
import type { RunDone, RunOptions } from './task-runner.js';
import { isTransient, loggedError } from './transient-error.js';

/** Least time between a pull that found nothing and an announced one, while busy. */
const MIN_EMPTY_PULL_GAP_MS = 200;

/** When the coordinator ran this host dry, how soon to look again anyway. */
const DRAINED_RECHECK_MS = 1000;

/**
 * How soon a host that ran out of work looks again when its last answer carried some:
 * the coordinator may have held the rest back by the host's in-flight bound (a new job's
 * is small until its first reports), which those reports — sent by now — have lifted.
 */
const IDLE_RECHECK_MS = 50;

/** How long a task must have run before surplus buffered work is handed back. */
export const HAND_BACK_AFTER_MS = 10_000;

export interface WorkLoopOptions {
  readonly client: Pick<CoordinatorClient, 'work'>;
  readonly hostId: number;
  readonly slots: number;
  /** Fixed buffer; when absent it adapts to task durations (`adaptiveBuffer`). */
  readonly buffer?: number;
  /** The work buffer in seconds per slot; default `DEFAULT_BUFFER_SECONDS`. */
  readonly bufferSeconds?: BufferSeconds;
  readonly logger: Logger;
  /** Runs one assignment and calls `done` with its report (undefined when stopped by the signal); never throws. */
  readonly run: (assignment: Assignment, options: RunOptions, done: RunDone) => void;
  readonly onReport: (report: OutgoingReport) => void;
  /** Buffered replicas the agent no longer wants to hold (the buffer shrank); hand them back. */
  readonly onHandBack?: (replicaIds: number[]) => void;
  /** How long a task must run before surplus is handed back; default `HAND_BACK_AFTER_MS`. */
  readonly handBackAfterMs?: number;
  /** Whether the work stream is up (polling is then only a safety net). */
  readonly streaming: () => boolean;
  /**
   * The coordinator no longer knows this host (its store was reset or restored from a
   * backup): pulling stops, and the agent must register again to get work.
   */
  readonly onHostUnknown?: () => void;
  /** Assignments newly taken from a work answer (to keep them on disk). */
  readonly onAccepted?: (assignments: readonly Assignment[]) => void;
  /** Buffered replicas not started because their deadline passed; hand them back. */
  readonly onExpired?: (replicaIds: number[]) => void;
  /** Replicas that ended without a report and need no hand-back (the runner gave up). */
  readonly onReleased?: (replicaIds: number[]) => void;
  /**
   * Run what is held but pull nothing until `resumePulling`: an agent restarted while
   * the coordinator is away must register (naming what it holds) before it takes more.
   */
  readonly pullingPaused?: boolean;
}

interface Running {
  readonly assignment: Assignment;
  /** The runs handed over with this one, sharing its signal. */
  readonly batch: RunBatch;
  /** Cancelled or handed back: its result is not reported. */
  stopped: boolean;
}

/** Pulls, buffers and runs assignments. */
export class WorkLoop {
  private readonly buffered: Assignment[] = [];
  private readonly running = new Map<number, Running>();
  private readonly idle = new Backoff(IDLE_POLL);
  private readonly errors = new Backoff(RECONNECT_BACKOFF);
  private pulling: Promise<void> | undefined;
  private pullAgain = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private pollDue = 0;
  private stopped = false;
  private paused: boolean;
  private readonly counts = { completed: 0, failed: 0 };
  private readonly pace = new TaskPace();
  /** When a pull last came back empty (performance.now()). */
  private lastEmptyAt = Number.NEGATIVE_INFINITY;
  /** The last answer carried work (so the coordinator had some for this host). */
  private lastHadWork = false;
  /**
   * The last pull got less than it asked for and nothing was announced since: the
   * coordinator has no more for this host now, and will say on the stream when it has.
   */
  private drained = false;
  /** Before this (performance.now()), only the retry timer pulls: the last pull failed. */
  private retryAt = 0;
  private readonly rebalanceTimer: NodeJS.Timeout;
  /** A settle (start runs, maybe refill) is queued for the end of this tick. */
  private settling = false;
  /** Called by `finished` once no run is left (a drain waits for it). */
  private onIdle: (() => void) | undefined;

  constructor(private readonly options: WorkLoopOptions) {
    this.paused = options.pullingPaused ?? false;
    this.rebalanceTimer = setInterval(() => this.rebalance(), 1000);
    this.rebalanceTimer.unref();
  }

  stats(): { completed: number; failed: number; running: number } {
    return { ...this.counts, running: this.running.size };
  }

  /** Whether runs are going or waiting to start: more reports are on their way. */
  get busy(): boolean {
    return this.running.size > 0 || this.buffered.length > 0;
  }

  /** Replica ids held: buffered and running. */
  heldIds(): number[] {
    return [...this.buffered.map((a) => a.replicaId), ...this.running.keys()];
  }

  /**
   * Buffers work a previous run of this agent held (read back from disk), ahead of
   * anything pulled; replicas already held are skipped.
   */
  restore(assignments: readonly Assignment[]): void {
    this.accept(assignments, false);
  }

  /**
   * Stops pulling until `resumePulling`; resolves once a pull under way was answered and
   * its work taken in, so that what the loop holds is all the coordinator sent.
   */
  async pausePulling(): Promise<void> {
    this.paused = true;
    await this.pulling;
  }

  /** Lets a paused loop (or one started with `pullingPaused`) pull, at once. */
  resumePulling(): void {
    this.paused = false;
    this.trigger();
  }

  /** New deadlines of held replicas, from a heartbeat's extended leases. */
  extendDeadlines(extended: readonly { replicaId: number; deadline: number }[]): void {
    if (extended.length === 0 || this.buffered.length === 0) return;
    const deadlines = new Map(extended.map((e) => [e.replicaId, e.deadline]));
    for (const a of this.buffered) {
      const deadline = deadlines.get(a.replicaId);
      if (deadline !== undefined && deadline > a.deadline) a.deadline = deadline;
    }
  }

  /**
   * Pulls now (work was announced, or the loop starts) — or shortly, when the last pull
   * found nothing a moment ago: announcements go to every host and come with every
   * change, and a busy host that cannot take the announced work must not answer each
   * one with a request. An idle host always pulls at once: the coordinator only
   * announces to hosts whose last pull left them wanting, so this is what a requester
   * waits for.
   */
  trigger(): void {
    this.drained = false;
    this.idle.reset();
    // An announcement comes from a coordinator that is up: no need to wait out a backoff.
    this.retryAt = 0;
    const idle = this.running.size === 0 && this.buffered.length === 0;
    const wait = idle ? 0 : this.lastEmptyAt + MIN_EMPTY_PULL_GAP_MS - performance.now();
    if (wait > 0) {
      this.schedulePoll(wait, true);
      return;
    }
    this.pull();
  }

  /** Stops these replicas: dropped from the buffer, aborted where running; no report follows. */
  cancel(replicaIds: readonly number[]): void {
    const ids = new Set(replicaIds);
    for (let i = this.buffered.length - 1; i >= 0; i--) {
      if (ids.has((this.buffered[i] as Assignment).replicaId)) this.buffered.splice(i, 1);
    }
    for (const id of ids) {
      const run = this.running.get(id);
      if (run) this.stop(run);
    }
  }

  /**
   * Stops pulling, waits up to `timeoutMs` for running tasks to finish (their reports go
   * out as usual), aborts the rest, and returns the replica ids to hand back.
   */
  async drain(timeoutMs: number): Promise<number[]> {
    this.stopped = true;
    clearTimeout(this.pollTimer);
    clearInterval(this.rebalanceTimer);
    // An answer already on its way holds assignments the coordinator wrote to us.
    const deadline = Date.now() + Math.max(0, timeoutMs);
    await within(this.pulling, timeoutMs);
    const handBack = this.buffered.splice(0).map((a) => a.replicaId);
    const idle = new Promise<void>((resolve) => {
      this.onIdle = resolve;
    });
    if (this.running.size > 0 && !(await within(idle, deadline - Date.now()))) {
      this.options.logger.info({ left: this.running.size }, 'stopping unfinished tasks');
    }
    this.onIdle = undefined;
    for (const [id, run] of this.running) {
      handBack.push(id);
      this.stop(run);
    }
    return handBack;
  }

  private pull(): void {
    if (this.stopped || this.paused) return;
    if (this.pulling) {
      this.pullAgain = true;
      return;
    }
    clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    this.pulling = this.request().finally(() => {
      this.pulling = undefined;
      if (this.pullAgain) {
        this.pullAgain = false;
        this.pull();
      }
    });
  }

  /** One work request; schedules the next poll. */
  private async request(): Promise<void> {
    const { client, hostId, slots, logger } = this.options;
    const max = wantedAssignments({
      slots,
      buffer: this.buffer(),
      running: this.running.size,
      buffered: this.buffered.length,
    });
    if (max === 0) return this.schedulePoll(this.pollInterval());
    try {
      this.drained = false;
      const seconds = this.options.bufferSeconds ?? DEFAULT_BUFFER_SECONDS;
      const { assignments, more } = await client.work(hostId, max, undefined, seconds.max);
      // An announcement that arrived meanwhile set `drained` back to false: keep it so.
      // Nor is a host drained that the coordinator held back only by its in-flight bound:
      // it asks again as its runs end.
      if (assignments.length < max && !more && this.pullAgain === false) this.drained = true;
      this.errors.reset();
      this.retryAt = 0;
      if (assignments.length > 0)
        logger.debug({ count: assignments.length }, 'assignments received');
      this.accept(assignments);
      this.lastHadWork = assignments.length > 0;
      if (assignments.length === 0) this.lastEmptyAt = performance.now();
      this.schedulePoll(assignments.length > 0 ? this.pollInterval() : this.idleInterval());
    } catch (error) {
      if (error instanceof AnygridError && error.code === ErrorCode.HOST_UNKNOWN) {
        logger.warn({ err: error }, 'the coordinator no longer knows this host; stopped pulling');
        this.stopped = true;
        this.options.onHostUnknown?.();
        return;
      }
      const delay = isTransient(error) ? this.errors.next() : RECONNECT_BACKOFF.maxMs;
      this.retryAt = performance.now() + delay;
      const log = isTransient(error) ? logger.warn : logger.error;
      log.call(logger, { err: loggedError(error), delay }, 'work request failed');
      this.schedulePoll(delay);
    }
  }

  private accept(assignments: readonly Assignment[], pulled = true): void {
    // The coordinator may answer the same replica again after a lost response. One set
    // of the answer's ids, not of everything held: this runs for every pull.
    const fresh = new Set<number>();
    for (const a of assignments) if (!this.running.has(a.replicaId)) fresh.add(a.replicaId);
    for (const a of this.buffered) fresh.delete(a.replicaId);
    // The first of the answer's copies of a replica takes its id; later ones find it gone.
    const start = this.buffered.length;
    for (const a of assignments) if (fresh.delete(a.replicaId)) this.buffered.push(a);
    if (pulled && this.options.onAccepted && this.buffered.length > start) {
      this.options.onAccepted(this.buffered.slice(start));
    }
    this.startRuns();
  }

  /** Hands buffered assignments to the sandbox, all in this tick so they travel together. */
  private startRuns(): void {
    if (this.stopped) return;
    const limit = runsInFlight(this.options.slots, this.estimate());
    const free = limit - this.running.size;
    // Each handover costs the sandbox a message per worker and the batch an abort
    // signal: with many runs in flight, wait until half of them have finished (the rest
    // keep the workers busy meanwhile) rather than topping up after every result.
    if (free < Math.ceil(limit / 2) && limit > this.options.slots) return;
    const starting = this.buffered.splice(0, Math.min(free, this.buffered.length));
    if (starting.length === 0) return;
    const now = Date.now();
    let expired: number[] | undefined;
    const batch = new RunBatch();
    for (let i = 0; i < starting.length; i++) {
      const assignment = starting[i] as Assignment;
      if (assignment.deadline > now) this.start(assignment, batch);
      else if (expired) expired.push(assignment.replicaId);
      else expired = [assignment.replicaId];
    }
    if (expired) this.expired(expired);
  }

  /** Replicas past their deadline, not started; the slots they would have taken are free. */
  private expired(replicaIds: number[]): void {
    this.options.logger.info(
      { replicaIds },
      'deadline passed before the task could start; not running it',
    );
    this.options.onExpired?.(replicaIds);
    if (this.settling) return;
    this.settling = true;
    queueMicrotask(() => this.settle());
  }

  private start(assignment: Assignment, batch: RunBatch): void {
    const run: Running = { assignment, batch, stopped: false };
    batch.add();
    this.running.set(assignment.replicaId, run);
    this.options.run(assignment, batch.runOptions, (report) => this.finished(run, report));
  }

  /** No report is due for `run` any more; the sandbox stops it unless batch-mates are wanted. */
  private stop(run: Running): void {
    if (run.stopped) return;
    run.stopped = true;
    this.running.delete(run.assignment.replicaId);
    run.batch.stop();
  }

  private finished(run: Running, report: OutgoingReport | undefined): void {
    run.batch.ended(run.stopped);
    if (!run.stopped) {
      this.running.delete(run.assignment.replicaId);
      if (report) {
        // The time the sandbox spent on the run: runs handed over together wait their turn.
        this.pace.record(report.report.durationMs);
        if (report.report.status === 'success') this.counts.completed += 1;
        else this.counts.failed += 1;
        this.options.onReport(report);
      } else this.options.onReleased?.([run.assignment.replicaId]);
    }
    if (this.running.size === 0) this.onIdle?.();
    if (this.stopped || this.settling) return;
    this.settling = true;
    queueMicrotask(() => this.settle());
  }

  /** After runs end: start more at once (one batch), and refill the buffer when low. */
  private settle(): void {
    this.settling = false;
    if (this.stopped) return;
    this.startRuns();
    // Refill at half a buffer rather than after every task, so pulls carry many;
    // after a failed pull, the retry timer decides (the coordinator may be down).
    const refill = this.buffered.length < Math.ceil(this.buffer() / 2);
    if (!refill || performance.now() < this.retryAt) return;
    // A host the coordinator just ran dry need not ask again at once: the stream
    // announces new work, and a needless pull would queue in front of the report a
    // requester awaits. One look a little later covers work it held back for other reasons.
    if (this.drained && this.options.streaming()) {
      const idle = this.running.size === 0 && this.buffered.length === 0;
      this.schedulePoll(idle && this.lastHadWork ? IDLE_RECHECK_MS : DRAINED_RECHECK_MS, true);
    } else this.pull();
  }

  private buffer(): number {
    if (this.options.buffer !== undefined) return this.options.buffer;
    const seconds = this.options.bufferSeconds ?? DEFAULT_BUFFER_SECONDS;
    return adaptiveBuffer(this.options.slots, this.estimate(), seconds.min * 1000);
  }

  private estimate(): number | undefined {
    // Runs handed over together wait their turn in the sandbox for up to about
    // SANDBOX_LINE_MS; only a run well past that says tasks got longer.
    const longest = this.longestRunningMs();
    return estimateTaskMs(this.pace.averageMs, longest > 2 * SANDBOX_LINE_MS ? longest : 0);
  }

  private longestRunningMs(): number {
    // Runs are kept in the order they started: the first has run longest.
    const first = this.running.values().next().value;
    return first === undefined ? 0 : performance.now() - first.batch.startedAt;
  }

  /**
   * Hands back the newest buffered assignments when a task has run for long and the
   * buffer has shrunk well below what is held. Only a task running past
   * `HAND_BACK_AFTER_MS` counts: a loaded machine that is merely slower for a while
   * keeps its work, since handed-back replicas cannot come back to this host.
   */
  rebalance(): void {
    if (this.stopped || !this.options.onHandBack) return;
    const after = this.options.handBackAfterMs ?? HAND_BACK_AFTER_MS;
    if (this.longestRunningMs() < after) return;
    const excess = excessBuffered(this.buffered.length, this.buffer());
    const ids = this.buffered.splice(this.buffered.length - excess).map((a) => a.replicaId);
    ids.push(...this.surplusRuns());
    if (ids.length === 0) return;
    this.options.logger.info(
      { count: ids.length },
      'tasks are longer than expected; handing back surplus',
    );
    this.options.onHandBack(ids);
  }

  /**
   * Stops the newest runs beyond what tasks this long should have in the sandbox (handed
   * over while tasks were short, most not started yet) and returns their ids.
   */
  private surplusRuns(): number[] {
    const surplus = this.running.size - runsInFlight(this.options.slots, this.estimate());
    if (surplus <= 0) return [];
    const newest = [...this.running.values()].slice(-surplus);
    for (const run of newest) this.stop(run);
    return newest.map((run) => run.assignment.replicaId);
  }

  private pollInterval(): number {
    return this.options.streaming() ? STREAM_POLL_MS : IDLE_POLL.initialMs;
  }

  private idleInterval(): number {
    return this.options.streaming() ? STREAM_POLL_MS : this.idle.next();
  }

  /** Schedules the next pull; `sooner` only ever moves an already scheduled pull earlier. */
  private schedulePoll(delay: number, sooner = false): void {
    if (this.stopped) return;
    const due = performance.now() + delay;
    if (sooner && this.pollTimer !== undefined && this.pollDue <= due) return;
    clearTimeout(this.pollTimer);
    this.pollDue = due;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      this.pull();
    }, delay);
    this.pollTimer.unref();
  }
}
