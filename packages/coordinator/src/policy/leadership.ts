/**
 * @module
 * The leader lease, as pure decisions: several coordinators share one store, and the
 * duties that must run once (deadline and silence sweeps, stranded tasks, the janitor)
 * run on whichever holds the `leader` lease. A holder renews it well before it runs out;
 * anyone may take it once it has run out, so it moves when its holder dies; the store's
 * conditional write (one transaction) decides who wins a race. A holder that could not
 * renew stops acting as leader when its own reading of the expiry passes, before anyone
 * else may take it over (clocks are assumed to agree within a small part of the lease).
 */

/** The lease that names the coordinator running the singleton duties. */
export const LEADER_LEASE = 'leader';

/** How long a leader lease lasts unless renewed. Default for `serve --leader-lease-ms`. */
export const DEFAULT_LEADER_LEASE_MS = 10_000;

/** A lease as the store keeps it. */
export interface LeaseState {
  readonly name: string;
  /** The coordinator holding it (its random holder id). */
  readonly holder: string;
  /** When it runs out unless renewed (epoch ms). */
  readonly expiresAt: number;
  /** How many times it changed hands (1 for its first holder). */
  readonly term: number;
}

/** Whether `holder` may take or keep the lease `current` at `now`: free, its own, or run out. */
export function mayTakeLease(current: LeaseState | null, holder: string, now: number): boolean {
  return current === null || current.holder === holder || current.expiresAt <= now;
}

/**
 * How often a holder renews (and a follower tries to take over): three tries per lease,
 * so one slow store round trip never costs the lease.
 */
export function renewEveryMs(leaseMs: number): number {
  return Math.max(20, Math.floor(leaseMs / 3));
}

/**
 * Whether this coordinator may act as leader now: it holds the lease and, by its own
 * clock, the lease still has more than `marginMs` to run. The margin makes a holder that
 * could not renew stop before a successor may start, so their sweeps never overlap.
 */
export function actsAsLeader(
  lease: LeaseState | null,
  holder: string,
  now: number,
  marginMs: number,
): boolean {
  return lease !== null && lease.holder === holder && now + marginMs < lease.expiresAt;
}

/** A holder id: the machine, the process and a random part, `host/pid/random`. */
export function holderId(host: string, pid: number, random: string): string {
  return `${host}/${pid}/${random}`;
}

/**
 * Whether a lease's holder (null: no lease) is known dead without waiting for its lease
 * to run out: it names this machine and a process that no longer runs here (`alive(pid)`
 * false). The leader lease's and coordinators' presence leases are judged alike. A
 * coordinator restarted after a crash takes its predecessor's lease over at once, so a
 * lone coordinator keeps its sweeps going; holders on other machines are left to expire.
 * A pid reused by another process only makes the taker wait for the expiry.
 */
export function holderGone(
  holder: string | null,
  self: string,
  host: string,
  alive: (pid: number) => boolean,
): boolean {
  if (holder === null || holder === self) return false;
  const parts = holder.split('/');
  if (parts.length !== 3 || parts[0] !== host) return false;
  const pid = Number(parts[1]);
  return Number.isInteger(pid) && pid > 0 && !alive(pid);
}

/** What a change of lease state means for this coordinator, to log once. */
export function leadershipChange(wasLeader: boolean, isLeader: boolean): 'gained' | 'lost' | null {
  if (wasLeader === isLeader) return null;
  return isLeader ? 'gained' : 'lost';
}
