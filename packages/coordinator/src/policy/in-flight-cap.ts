/**
 * @module
 * How many replicas a host may hold at once: its slots times its work buffer, in
 * estimated seconds of work rather than a count (BOINC's work buffer). A host asking for
 * tasks of a job that runs 100 ms each with one slot and a 2-second buffer may hold about
 * 20, not the hundreds a count sized for
 * millisecond tasks allowed; a job of millisecond tasks still travels thousands per pull.
 * The buffer is the host's wish bounded by the coordinator's own maximum, whatever it asks.
 * The runtime is the host's own when its speed and the task's size are known
 * (deadline-fit.ts `runtimeOnHost`), so a host twice as fast holds twice as many; and
 * with a deadline, no host holds more than it is expected to finish before it
 * (`deadlineCap`), however many its buffer would allow.
 */

import { deadlineCap } from './deadline-fit.js';

/** Buffer, in seconds per slot, assumed when a host names none (the agent's default). */
export const DEFAULT_BUFFER_SECONDS = 2;

/**
 * The coordinator's own bound on a host's buffer, in seconds per slot: the default lease
 * (10 min). Work buffered past a deadline would only be reissued elsewhere.
 */
export const MAX_BUFFER_SECONDS = 600;

/** Replicas per slot a host may hold before any replica of the job was reported, at least. */
export const UNKNOWN_RUNTIME_PER_SLOT = 4;

/**
 * What a replica of a job nobody has reported yet is assumed to take, in seconds: a host
 * asking for a longer buffer (an agent that means to work through an outage) may hold
 * that many seconds' worth, beyond `UNKNOWN_RUNTIME_PER_SLOT`.
 */
export const UNKNOWN_RUNTIME_SECONDS = 1;

/**
 * The bound is this many times the buffer's worth. One: the agent refills towards its
 * smaller `min` buffer (a second by default) while asking for `max` (two), so replicas
 * finished but not yet reported and an estimate that lags fit in the difference.
 */
export const IN_FLIGHT_HEADROOM = 1;

/** Shortest runtime the bound divides by: below it, round trips cost more than the tasks. */
export const MIN_ESTIMATE_MS = 0.05;

/** Most replicas one host may hold, whatever its slots and buffer. */
export const MAX_IN_FLIGHT = 20_000;

export interface InFlightParams {
  /** The host's slots (tasks it runs at once). */
  readonly slots: number;
  /** Seconds of work per slot the host asked to hold; absent: `DEFAULT_BUFFER_SECONDS`. */
  readonly bufferSeconds?: number;
  /** The coordinator's bound on `bufferSeconds`; default `MAX_BUFFER_SECONDS`. */
  readonly maxBufferSeconds?: number;
  /**
   * A replica's expected runtime on this host (ms): from its speed and the task's size,
   * else the job's mean so far; absent before anything is known.
   */
  readonly estimateMs?: number;
  /** The replica deadline (ms): with `estimateMs`, the host holds no more than it can finish by then. */
  readonly deadlineMs?: number;
}

/** Replicas of a job the host may hold in flight in all. */
export function inFlightCap(p: InFlightParams): number {
  const slots = Math.max(1, Math.floor(p.slots));
  const floor = slots * UNKNOWN_RUNTIME_PER_SLOT;
  const bufferSeconds = Math.min(
    p.bufferSeconds ?? DEFAULT_BUFFER_SECONDS,
    p.maxBufferSeconds ?? MAX_BUFFER_SECONDS,
  );
  if (p.estimateMs === undefined || !(p.estimateMs >= 0)) {
    const perSlot = Math.ceil(bufferSeconds / UNKNOWN_RUNTIME_SECONDS);
    return Math.min(MAX_IN_FLIGHT, Math.max(floor, slots * perSlot));
  }
  const perSlot = (bufferSeconds * 1000) / Math.max(MIN_ESTIMATE_MS, p.estimateMs);
  const cap = Math.min(
    MAX_IN_FLIGHT,
    Math.max(floor, Math.ceil(slots * perSlot * IN_FLIGHT_HEADROOM)),
  );
  if (p.deadlineMs === undefined) return cap;
  return Math.min(cap, deadlineCap(p.deadlineMs, p.estimateMs, slots));
}

/** A job's runtime estimate from the sum and count of its reported run times. */
export function runtimeEstimate(sumMs: number, count: number): number | undefined {
  return count > 0 ? sumMs / count : undefined;
}
