/**
 * @module
 * The reverse auction's memory: which hosts were left wanting work by their last pull,
 * so that a paid job's replicas are held back, for a moment, from a host while a cheaper
 * (or as cheap and clearly more reputable or staked) host that could run them waits for work
 * (policy/price-fit.ts, `outbids`). Pull-based providers race for what is queued; without
 * this, whichever host happened to pull first would win, whatever it asks. A host is held
 * back from one job for at most `PRICE_WAIT_MS` in all: the cheaper host may be kept from
 * the work by a rule the scheduler does not see (it holds a replica of the task, its
 * quota), and work must not wait on it for ever. Free jobs never come here: a pool of
 * volunteers pays nothing for it.
 */

import type { Asks } from '@anygrid/protocol';
import {
  type Bid,
  type HostCapabilities,
  type JobPlacement,
  outbids,
  placeable,
  priceFits,
  unitCost,
} from '../policy/index.js';

/** Longest a host is held back from one paid job for cheaper hosts waiting for work. */
export const PRICE_WAIT_MS = 1_500;

/** How long a host's last pull counts as "waiting for work" without a work stream open. */
export const WANTING_MS = 15_000;

/** What is known of a host bidding for paid work. */
export interface Bidder {
  readonly asks: Asks;
  /** Reputation lower bound; 0 while its capabilities were not read. */
  readonly reputation: number;
  /** Its account's stake, micro-credits; 0 while its capabilities were not read. */
  readonly stake: number;
  /** Its capabilities, when read: then it must also meet the job's requirements and deadline. */
  readonly caps?: HostCapabilities;
}

export class PricePreference {
  /** Hosts whose last pull got less than they asked for, and when. */
  private readonly wanting = new Map<number, number>();
  /** When each host was first held back from each paid job (`${hostId}:${jobId}`). */
  private readonly heldSince = new Map<string, number>();

  constructor(
    /** What is known of a host as a bidder, if anything. */
    private readonly bidderOf: (hostId: number) => Bidder | undefined,
    /** Whether the host keeps a work stream open (it waits for a wake-up, not a poll). */
    private readonly streaming: (hostId: number) => boolean,
  ) {}

  /** Records how the host's pull ended: wanting more, or not. */
  pulled(hostId: number, wanting: boolean, now: number): void {
    if (wanting) this.wanting.set(hostId, now);
    else this.wanting.delete(hostId);
  }

  /** Forgets a job that ended. */
  dropJob(jobId: number): void {
    const suffix = `:${jobId}`;
    for (const key of this.heldSince.keys()) if (key.endsWith(suffix)) this.heldSince.delete(key);
  }

  /**
   * Whether the paid job's replicas should wait for a better bidder than this host: some
   * other host waiting for work may run the job and outbids it, and this host has not
   * been held back from the job for `PRICE_WAIT_MS` yet.
   */
  holdsBack(
    hostId: number,
    host: HostCapabilities,
    jobId: number,
    job: JobPlacement,
    now: number,
  ): boolean {
    const key = `${hostId}:${jobId}`;
    const since = this.heldSince.get(key);
    if (since !== undefined && now - since >= PRICE_WAIT_MS) return false;
    const shape = job.shape ?? { memGiB: 1, gpu: false };
    const mine: Bid = {
      cost: unitCost(host.asks, shape),
      reputation: host.reputation,
      stake: host.stake,
    };
    for (const [other, at] of this.wanting) {
      if (other === hostId) continue;
      if (now - at > WANTING_MS && !this.streaming(other)) {
        this.wanting.delete(other);
        continue;
      }
      const b = this.bidderOf(other);
      if (!b || !(b.caps ? placeable(job, b.caps) : priceFits(b.asks, job.pricing))) continue;
      const theirs: Bid = {
        cost: unitCost(b.asks, shape),
        reputation: b.reputation,
        stake: b.stake,
      };
      if (outbids(theirs, mine)) {
        if (since === undefined) this.heldSince.set(key, now);
        return true;
      }
    }
    return false;
  }
}
