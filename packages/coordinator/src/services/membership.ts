/**
 * @module
 * Which coordinators share the store now, and this one's slot among them
 * (policy/partition.ts). Each coordinator holds a presence lease of its own
 * (`coordinator:<holder id>`), renewed as often as the leader lease and released at a
 * clean stop; the live holders are read back at each renewal. One that dies stops
 * counting once its lease runs out, or at once when it ran on this machine and its
 * process is gone (a restarted coordinator does not wait for its predecessor's lease),
 * and the others' slots widen to cover its share. With one coordinator the partition is
 * the whole store and nothing changes.
 */

import { hostname } from 'node:os';
import type { Logger } from 'pino';
import {
  DEFAULT_LEADER_LEASE_MS,
  holderGone,
  type Partition,
  PRESENCE_PREFIX,
  partitionOf,
  renewEveryMs,
  samePartition,
  WHOLE,
} from '../policy/index.js';
import type { Store } from '../store/store.js';
import { processRuns } from './leadership.js';

export class Membership {
  private current: Partition = WHOLE;
  private timer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | undefined;
  private readonly listeners: Array<(partition: Partition) => void> = [];

  constructor(
    private readonly store: Store,
    /** This coordinator's holder id (the leader lease's, so logs name it once). */
    private readonly holder: string,
    private readonly log: Logger,
    private readonly leaseMs = DEFAULT_LEADER_LEASE_MS,
  ) {}

  get partition(): Partition {
    return this.current;
  }

  /** Calls `listener` with each new partition (a coordinator joined or left). */
  onChange(listener: (partition: Partition) => void): void {
    this.listeners.push(listener);
  }

  /** Announces this coordinator and reads the others, then keeps doing so on a timer. */
  async start(): Promise<void> {
    await this.renew();
    this.timer = setInterval(() => void this.renew(), renewEveryMs(this.leaseMs));
    this.timer.unref();
  }

  /** Leaves at once, so the others take over this slot at their next renewal. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.renewing;
    try {
      await this.store.releaseLease(this.name, this.holder, Date.now());
    } catch (err) {
      this.log.warn({ err }, 'could not release the presence lease; it runs out by itself');
    }
  }

  /** One renewal; one still under way is not started twice. */
  renew(): Promise<void> {
    this.renewing ??= this.renewOnce().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  private get name(): string {
    return `${PRESENCE_PREFIX}${this.holder}`;
  }

  private async renewOnce(): Promise<void> {
    try {
      const now = Date.now();
      await this.store.claimLease(this.name, this.holder, now, this.leaseMs);
      const here = hostname();
      const live = (await this.store.liveLeaseHolders(PRESENCE_PREFIX, now)).filter(
        (holder) => !holderGone(holder, this.holder, here, processRuns),
      );
      const next = partitionOf(this.holder, live);
      if (samePartition(next, this.current)) return;
      this.current = next;
      this.log.info({ holder: this.holder, ...next }, 'coordinators sharing the store changed');
      for (const listener of this.listeners) listener(next);
    } catch (err) {
      // The partition stays as last read: at worst some replicas wait in no coordinator's
      // slot until a queue runs low and reads the others' (work-discovery.ts).
      this.log.warn({ err }, 'could not renew the presence lease; retrying next tick');
    }
  }
}
