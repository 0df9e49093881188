/**
 * @module
 * When a host counts as gone: it missed a few heartbeats in a row. Its replicas are then
 * taken back long before their deadline (the transitioner's silence sweep), so a laptop
 * that closed its lid delays its tasks by seconds, not by the 10-minute default lease.
 * The coordinator's own downtime is never held against a host: after a restart a host's
 * silence counts from the later of when it was last seen and when the coordinator started.
 */

/** Heartbeats a host may miss before its replicas are taken back. */
export const DEFAULT_MISSED_HEARTBEATS = 3;

/** How long a host may stay silent: `missed` heartbeat intervals. */
export function silenceAllowedMs(
  heartbeatMs: number,
  missed: number = DEFAULT_MISSED_HEARTBEATS,
): number {
  return Math.max(1, heartbeatMs) * Math.max(1, missed);
}

/**
 * Hosts last seen before the returned time (epoch ms) are silent at `now`; null when no
 * host can be yet, because the coordinator has not been up for `silenceMs` (a host
 * silent while it was down may simply not have reached it yet).
 */
export function silentBefore(now: number, startedAt: number, silenceMs: number): number | null {
  const cutoff = now - silenceMs;
  return cutoff >= startedAt ? cutoff : null;
}
