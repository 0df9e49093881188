/**
 * @module
 * Answers work requests from the in-memory ready queue (BOINC's feeder) and publishes
 * what each store transaction changed: new replicas join the queue, result streams hear
 * about their jobs, connected agents hear that work waits. The queue is a cache of the
 * store, rebuilt at start; the store's guarded assignment has the last word.
 */

import type { Assignment } from '@anygrid/protocol';
import { ReadyQueue, type ReadyReplica } from '../policy/index.js';
import type { ChangeSet, Placement, Store } from '../store/store.js';
import type { Hub } from './hub.js';

/** Rounds of take-and-assign per request; later rounds only replace stale or refused entries. */
const MAX_ROUNDS = 4;

/**
 * How long a host the store found quarantined is answered with nothing before the store
 * is asked again (an admin may release it meanwhile).
 */
const QUARANTINE_RECHECK_MS = 5_000;

/**
 * After a placement rule kept replicas from a host, when to tell idle hosts again that
 * work waits: the rule may let another host (or a later pull) take them, and idle agents
 * back off far longer than a rule holds a replica back.
 */
const DEFERRED_WAKE_MS = 300;

export class Scheduler {
  private readonly queue = new ReadyQueue();
  /** Hosts the store found quarantined, until when to answer them without asking it. */
  private readonly quarantined = new Map<number, number>();
  /** Replicas kept back since the last wake-up, and its timer. */
  private deferredSinceWake = 0;
  private wake: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly hub: Hub,
  ) {}

  /** Fills the queue from the store; call once before serving. */
  async load(): Promise<void> {
    this.queue.push(await this.store.readyReplicas());
  }

  get queued(): number {
    return this.queue.size;
  }

  async assign(hostId: number, max: number): Promise<Assignment[]> {
    const out: Assignment[] = [];
    const until = this.quarantined.get(hostId);
    if (until !== undefined && until > Date.now()) return out;
    for (let round = 0; round < MAX_ROUNDS && out.length < max; round++) {
      const picks = this.queue.take(hostId, max - out.length);
      if (picks.length === 0) break;
      const placement: Placement = { deferred: [], quarantined: false };
      const assigned = await this.store.assignReplicas(hostId, picks, Date.now(), placement);
      out.push(...assigned);
      // Refused by a placement rule but still ready: back in the queue for other hosts.
      if (placement.deferred.length > 0) this.requeue(picks, placement);
      if (placement.quarantined) {
        this.quarantined.set(hostId, Date.now() + QUARANTINE_RECHECK_MS);
        break;
      }
      this.quarantined.delete(hostId);
      if (assigned.length === picks.length) break;
    }
    this.hub.markHungry(hostId, out.length < max);
    return out;
  }

  private requeue(picks: readonly ReadyReplica[], placement: Placement): void {
    const deferred = new Set(placement.deferred.map((p) => p.replicaId));
    this.queue.push(picks.filter((p) => deferred.has(p.replicaId)));
    this.deferredSinceWake += deferred.size;
    this.wake ??= setTimeout(() => {
      this.wake = undefined;
      const n = this.deferredSinceWake;
      this.deferredSinceWake = 0;
      this.hub.workAvailable(n);
    }, DEFERRED_WAKE_MS).unref();
  }

  /** Call after every store change: feeds the queue and wakes listeners. */
  publish(changes: ChangeSet): void {
    if (changes.ready.length > 0) {
      this.queue.push(changes.ready);
      this.hub.workAvailable(changes.ready.length);
    }
    this.hub.jobsChanged(changes.jobs);
  }

  /** A cancelled job's queued replicas are skipped from now on. */
  dropJob(jobId: number): void {
    this.queue.dropJob(jobId);
  }
}
