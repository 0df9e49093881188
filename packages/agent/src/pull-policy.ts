/**
 * @module
 * How much work to ask for and how long to wait before asking again. The agent keeps
 * every slot busy plus a small buffer, so a slot that frees up starts its next task
 * without a round trip; it asks at once when told work is waiting, and otherwise polls
 * — briskly while the coordinator has work, backing off while it has none, and rarely
 * when the work stream is connected, since the stream announces new work anyway.
 * Pure: the work loop does the asking and the waiting.
 */

import type { BackoffPolicy } from './backoff.js';

/** What the agent holds now. */
export interface Holdings {
  readonly slots: number;
  /** Assignments held beyond the slots, waiting to start. */
  readonly buffer: number;
  readonly running: number;
  readonly buffered: number;
}

/** Largest `max` the protocol allows in one work request. */
export const MAX_WORK_REQUEST = 1000;

/** Assignments to ask for so that every slot is busy and the buffer is full. */
export function wantedAssignments(h: Holdings): number {
  const room = h.slots + h.buffer - h.running - h.buffered;
  return Math.max(0, Math.min(MAX_WORK_REQUEST, room));
}

/** The smallest buffer: as many again as there are slots, up to a few. */
export function defaultBuffer(slots: number): number {
  return Math.max(1, Math.min(slots, 8));
}

/**
 * Largest buffer the agent ever keeps, however short its tasks: a few full work
 * requests, so sub-millisecond tasks travel hundreds per round trip and the buffer
 * outlasts a pull that waits behind the coordinator's handling of a full report batch
 * (~20–35 ms for 1000 reports on 2 cores). With one request's worth, the agent ran dry
 * while its pull waited, ~60 times per 100 k tasks; with four, tasks/s rose by ~8 %.
 * Surplus that turns out to be long is handed back (`excessBuffered`).
 */
export const MAX_BUFFER = 4 * MAX_WORK_REQUEST;

/** Shortest task duration the buffer is sized by; below it, messaging costs dominate anyway. */
const MIN_SIZING_MS = 0.1;

/** Work, in ms per slot, that the buffer aims to hold once task durations are known. */
export const BUFFER_TARGET_MS = 1000;

/**
 * The work buffer, in estimated seconds per slot (BOINC's): the agent refills towards
 * `min` (its adaptive buffer's target) and asks the coordinator to let it hold up to
 * `max`, which bounds the host's replicas in flight (the coordinator's in-flight cap).
 */
export interface BufferSeconds {
  readonly min: number;
  readonly max: number;
}

/** The buffer unless configured: a second of work per slot, up to two. */
export const DEFAULT_BUFFER_SECONDS: BufferSeconds = { min: BUFFER_TARGET_MS / 1000, max: 2 };

/**
 * A buffer from the options given: `max` never below `min` (a larger min raises it), both
 * positive; the defaults fill what is absent.
 */
export function bufferSeconds(min?: number, max?: number): BufferSeconds {
  const lo = min ?? DEFAULT_BUFFER_SECONDS.min;
  const hi = Math.max(lo, max ?? Math.max(DEFAULT_BUFFER_SECONDS.max, lo));
  return { min: lo, max: hi };
}

/**
 * The buffer for tasks that take `averageTaskMs`: enough to keep every slot busy for
 * about `targetMs` without a round trip (BOINC's work buffer, measured in time rather
 * than tasks), never below `defaultBuffer(slots)` nor above `MAX_BUFFER`. Short tasks
 * get a deep buffer, so the agent is not bound by round trips; long tasks a shallow
 * one, so it does not hoard work other hosts could start.
 */
export function adaptiveBuffer(
  slots: number,
  averageTaskMs: number | undefined,
  targetMs: number = BUFFER_TARGET_MS,
): number {
  const floor = defaultBuffer(slots);
  if (averageTaskMs === undefined || !(averageTaskMs >= 0)) return floor;
  const wanted = Math.ceil((slots * targetMs) / Math.max(MIN_SIZING_MS, averageTaskMs));
  return Math.max(floor, Math.min(MAX_BUFFER, wanted));
}

/** Work, in ms per slot, handed to the sandbox ahead of time so its workers never wait for the agent. */
export const SANDBOX_LINE_MS = 20;

/**
 * Most runs per slot handed to the sandbox at once: the runtime's deepest line per
 * worker (`MAX_DEPTH`). For tasks of microseconds, twice the 64 runs per hand-over
 * of before cost the agent ~1.5 µs less CPU per task, in half as many messages.
 */
export const MAX_LINE = 128;

/**
 * Runs to hand to the sandbox at once. The sandbox runs `slots` at a time (one per
 * worker) and queues the rest; runs handed over together reach each worker as one
 * message, which is what makes sub-millisecond tasks cheap. Long or unknown tasks get
 * one run per slot, so work not yet started stays in the agent's buffer, where it can
 * be handed back.
 */
export function runsInFlight(slots: number, estimateMs: number | undefined): number {
  if (estimateMs === undefined || !(estimateMs >= 0)) return slots;
  const perSlot = Math.floor(SANDBOX_LINE_MS / Math.max(estimateMs, 0.001));
  return slots * Math.max(1, Math.min(MAX_LINE, perSlot));
}

/**
 * The duration to size the buffer by: the recent average, raised by a task that has
 * already run longer (a job of long tasks following a job of short ones must shrink the
 * buffer before its first task ends, or the agent hoards long work). With no average
 * yet, only a task running past the target counts.
 */
export function estimateTaskMs(
  averageMs: number | undefined,
  longestRunningMs: number,
  targetMs: number = BUFFER_TARGET_MS,
): number | undefined {
  if (averageMs === undefined) return longestRunningMs >= targetMs ? longestRunningMs : undefined;
  return Math.max(averageMs, longestRunningMs);
}

/**
 * Buffered assignments to hand back because the buffer now wants far fewer: the excess
 * over the buffer once the agent holds more than twice it (hysteresis, so a buffer
 * that wobbles does not hand work back and forth).
 */
export function excessBuffered(buffered: number, buffer: number): number {
  return buffered > 2 * buffer ? buffered - buffer : 0;
}

/** An exponentially weighted moving average of task durations. */
export class TaskPace {
  private average: number | undefined;

  constructor(private readonly weight = 0.2) {}

  /** The average so far, or undefined before the first task. */
  get averageMs(): number | undefined {
    return this.average;
  }

  record(durationMs: number): void {
    if (!Number.isFinite(durationMs) || durationMs < 0) return;
    this.average =
      this.average === undefined
        ? durationMs
        : this.average + this.weight * (durationMs - this.average);
  }
}

/** Polling while the coordinator answers "nothing" and the stream is down. */
export const IDLE_POLL: BackoffPolicy = { initialMs: 500, maxMs: 10_000, factor: 2, jitter: 0.3 };

/** Polling while the work stream is connected: a safety net for a lost announcement. */
export const STREAM_POLL_MS = 30_000;
