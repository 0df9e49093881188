/**
 * @module
 * Which hosts hold which large blobs, as the scheduler knows it: soft state, rebuilt from
 * what agents report (their inventory when they register, changes in work requests and
 * the whole inventory again every few minutes) and from what the scheduler itself sent
 * (a host given a task will hold its inputs). It is a hint, not a truth the store must
 * keep: losing it on a restart costs some transfers until agents report again, never a
 * result. Bounded per host, so an agent cannot grow it without limit. Pure: time is an
 * argument.
 */

/** Hashes kept per host; more are ignored (the agent's own report is bounded alike). */
export const MAX_BLOBS_PER_HOST = 4096;

/** A host that has not pulled for this long is not counted as a holder worth waiting for. */
export const HOLDER_LIVE_MS = 60_000;

/** A change to one host's holdings, as the protocol's inventory delta carries it. */
export interface HoldingsChange {
  readonly held: readonly string[];
  readonly dropped: readonly string[];
  /** `held` is the whole inventory: forget anything else. */
  readonly full: boolean;
  /** The host's measured download speed, bytes per second, when it sent one. */
  readonly bandwidth?: number;
}

export class BlobLocality {
  private readonly byHost = new Map<number, Set<string>>();
  private readonly byBlob = new Map<string, Set<number>>();
  private readonly lastPull = new Map<number, number>();
  private readonly speeds = new Map<number, number>();

  /** Hosts known to hold at least one large blob. */
  get hosts(): number {
    return this.byHost.size;
  }

  /** Applies a host's report. */
  apply(hostId: number, change: HoldingsChange): void {
    if (change.full) this.forget(hostId);
    for (const hash of change.dropped) this.remove(hostId, hash);
    this.add(hostId, change.held);
    if (change.bandwidth !== undefined) this.speeds.set(hostId, change.bandwidth);
  }

  /** The download speed the host last reported (bytes per second), if any. */
  bandwidth(hostId: number): number | undefined {
    return this.speeds.get(hostId);
  }

  /** Records that the host holds (or is about to fetch) these blobs. */
  add(hostId: number, hashes: Iterable<string>): void {
    let held = this.byHost.get(hostId);
    for (const hash of hashes) {
      if (!held) {
        held = new Set();
        this.byHost.set(hostId, held);
      }
      if (held.has(hash) || held.size >= MAX_BLOBS_PER_HOST) continue;
      held.add(hash);
      let holders = this.byBlob.get(hash);
      if (!holders) {
        holders = new Set();
        this.byBlob.set(hash, holders);
      }
      holders.add(hostId);
    }
  }

  /** Notes that the host asked for work at `now` (a holder that pulls is one worth waiting for). */
  pulled(hostId: number, now: number): void {
    this.lastPull.set(hostId, now);
  }

  holdsAny(hostId: number): boolean {
    return (this.byHost.get(hostId)?.size ?? 0) > 0;
  }

  holds(hostId: number, hash: string): boolean {
    return this.byHost.get(hostId)?.has(hash) === true;
  }

  /** Whether a host other than `hostId`, seen pulling lately, holds every one of `hashes`. */
  liveHolder(hashes: readonly string[], hostId: number, now: number): boolean {
    const first = hashes[0];
    if (first === undefined) return false;
    for (const holder of this.byBlob.get(first) ?? []) {
      if (holder === hostId) continue;
      if ((this.lastPull.get(holder) ?? -Infinity) < now - HOLDER_LIVE_MS) continue;
      if (hashes.every((h) => this.holds(holder, h))) return true;
    }
    return false;
  }

  /** Forgets everything the host held. */
  forget(hostId: number): void {
    for (const hash of this.byHost.get(hostId) ?? []) this.unlink(hostId, hash);
    this.byHost.delete(hostId);
  }

  private remove(hostId: number, hash: string): void {
    if (this.byHost.get(hostId)?.delete(hash)) this.unlink(hostId, hash);
  }

  private unlink(hostId: number, hash: string): void {
    const holders = this.byBlob.get(hash);
    holders?.delete(hostId);
    if (holders?.size === 0) this.byBlob.delete(hash);
  }
}
