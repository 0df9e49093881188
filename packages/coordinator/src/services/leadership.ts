/**
 * @module
 * This coordinator's part in the leader lease (policy/leadership.ts): it has a random
 * holder id, claims the `leader` lease at start and then on a timer (renewing it while it
 * holds it, taking it over once another holder let it run out), and says whether it is
 * the leader now. The transitioner's sweeps and the janitor ask it before each round, so
 * with several coordinators on one store those duties run on one of them, and move to
 * another within a lease when it dies. Changes are logged once, at info level
 * (`leader: gained` / `leader: lost`, with the holder id). With one coordinator nothing
 * changes: it takes the lease at start and keeps it.
 */

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import {
  actsAsLeader,
  DEFAULT_LEADER_LEASE_MS,
  holderGone,
  holderId,
  LEADER_LEASE,
  type LeaseState,
  leadershipChange,
  renewEveryMs,
} from '../policy/index.js';
import type { Store } from '../store/store.js';

/** What `serve --json` and the health route say about the lease. */
export interface LeadershipStatus {
  /** This coordinator's holder id. */
  readonly holder: string;
  /** Whether this coordinator runs the singleton duties now. */
  readonly leader: boolean;
  /** The holder of the lease as last read, and its term. */
  readonly leaderHolder: string | null;
  readonly term: number | null;
}

export class Leadership {
  /** Random per process and logged at start: which coordinator a lease row names. */
  readonly holder = holderId(hostname(), process.pid, randomBytes(4).toString('hex'));
  private lease: LeaseState | null = null;
  private leading = false;
  private timer: NodeJS.Timeout | undefined;
  private claiming: Promise<void> | undefined;
  private readonly marginMs: number;
  private readonly listeners: Array<(change: 'gained' | 'lost') => void> = [];

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly leaseMs = DEFAULT_LEADER_LEASE_MS,
  ) {
    // A holder stops acting a tenth of a lease before it runs out by its own clock.
    this.marginMs = Math.floor(leaseMs / 10);
  }

  /** Whether this coordinator holds the lease now (by its own clock). */
  get isLeader(): boolean {
    const now = Date.now();
    const leading = actsAsLeader(this.lease, this.holder, now, this.marginMs);
    this.noteChange(leading);
    return leading;
  }

  /** Calls `listener` each time this coordinator becomes the leader (its duties start at once). */
  onGained(listener: () => void): void {
    this.onChange((change) => change === 'gained' && listener());
  }

  /** Calls `listener` each time this coordinator becomes the leader or stops being it. */
  onChange(listener: (change: 'gained' | 'lost') => void): void {
    this.listeners.push(listener);
  }

  status(): LeadershipStatus {
    return {
      holder: this.holder,
      leader: this.isLeader,
      leaderHolder: this.lease?.holder ?? null,
      term: this.lease?.term ?? null,
    };
  }

  /** Claims the lease now (at start, before the first sweep), then on a timer. */
  async start(): Promise<void> {
    this.log.info({ holder: this.holder, leaseMs: this.leaseMs }, 'coordinator holder id');
    await this.claim();
    this.timer = setInterval(() => void this.claim(), renewEveryMs(this.leaseMs));
    this.timer.unref();
  }

  /** Stops claiming and gives the lease up, so another coordinator takes it at its next try. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.claiming;
    if (this.lease?.holder !== this.holder) return;
    try {
      await this.store.releaseLease(LEADER_LEASE, this.holder, Date.now());
    } catch (err) {
      this.log.warn({ err }, 'could not release the leader lease; it runs out by itself');
    }
    this.lease = null;
    this.noteChange(false);
  }

  /** One claim; a claim still under way is not started twice. */
  claim(): Promise<void> {
    this.claiming ??= this.claimOnce().finally(() => {
      this.claiming = undefined;
    });
    return this.claiming;
  }

  private async claimOnce(): Promise<void> {
    try {
      const now = Date.now();
      this.lease = await this.store.claimLease(LEADER_LEASE, this.holder, now, this.leaseMs);
      // A holder on this machine whose process is gone (this coordinator's predecessor,
      // killed): taken over now rather than after its lease runs out.
      if (holderGone(this.lease.holder, this.holder, hostname(), processRuns)) {
        const dead = this.lease.holder;
        this.lease = await this.store.claimLease(
          LEADER_LEASE,
          this.holder,
          now,
          this.leaseMs,
          dead,
        );
        this.log.info({ holder: this.holder, dead }, 'took over the lease of a dead holder');
      }
    } catch (err) {
      // The lease stays as last read: it runs out by this coordinator's clock too.
      this.log.warn({ err }, 'could not claim the leader lease; retrying next tick');
    }
    void this.isLeader;
  }

  private noteChange(leading: boolean): void {
    const change = leadershipChange(this.leading, leading);
    if (change === null) return;
    this.leading = leading;
    this.log.info(
      { holder: this.holder, leader: this.lease?.holder ?? null, term: this.lease?.term ?? null },
      `leader: ${change}`,
    );
    for (const listener of this.listeners) {
      // A listener's failure is its own: the lease logic (and the sweep that asked) goes on.
      try {
        listener(change);
      } catch (err) {
        this.log.warn({ err }, 'a leadership listener failed');
      }
    }
  }
}

/** Whether a process of this machine runs (signal 0 only asks). */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
