/**
 * @module The guest's clocks: virtual, so a run's timestamps depend only on what the
 * program does, never on the host.
 *
 * Every reading advances time by one microsecond, so clocks are strictly increasing,
 * and sleeping (`poll_oneoff` on a clock) advances it by the requested amount instead
 * of waiting. Realtime starts at 2024-01-01T00:00:00Z.
 */

/** 2024-01-01T00:00:00Z in nanoseconds since the Unix epoch. */
export const VIRTUAL_EPOCH_NS = 1_704_067_200_000_000_000n;
/** Reported resolution of every clock. */
export const CLOCK_RESOLUTION_NS = 1_000n;

/** Deterministic time source shared by the clocks and file timestamps of one run. */
export class VirtualClock {
  private elapsed = 0n;

  /** Back to the start of a run. */
  reset(): void {
    this.elapsed = 0n;
  }

  /** Nanoseconds since the run started; advances on every call. */
  monotonic(): bigint {
    this.elapsed += CLOCK_RESOLUTION_NS;
    return this.elapsed;
  }

  /** Nanoseconds since the Unix epoch; advances on every call. */
  realtime(): bigint {
    return VIRTUAL_EPOCH_NS + this.monotonic();
  }

  /** Moves time forward by `ns` (a sleep). */
  advance(ns: bigint): void {
    if (ns > 0n) this.elapsed += ns;
  }

  /** Moves time forward to monotonic `ns` if that is later (an absolute sleep). */
  advanceTo(ns: bigint): void {
    if (ns > this.elapsed) this.elapsed = ns;
  }

  /** The current monotonic reading without advancing it. */
  peek(): bigint {
    return this.elapsed;
  }
}
