/**
 * @module
 * Answers work requests from the in-memory ready queue (BOINC's feeder) and publishes
 * what each store transaction changed: new replicas join the queue, result streams hear
 * about their jobs, connected agents hear that work waits. The queue is a cache of the
 * store, rebuilt at start; the store's guarded assignment has the last word. A host is
 * first asked no more than its work allowance (quota, quarantine, failures), and a
 * replica the store refused to this host (another of its task sits with the same
 * account or network) goes back in the queue for others.
 */

import type { Assignment } from '@anygrid/protocol';
import { ReadyQueue, type ReadyReplica } from '../policy/index.js';
import type { ChangeSet, Store } from '../store/store.js';
import type { Hub } from './hub.js';
import type { Metrics } from './metrics.js';

/** Rounds of take-and-assign per request; later rounds only replace stale entries. */
const MAX_ROUNDS = 4;

export class Scheduler {
  private readonly queue = new ReadyQueue();
  /** Hosts seen pulling, by account: a replica refused to one is kept from them all. */
  private readonly accountHosts = new Map<number, Set<number>>();

  constructor(
    private readonly store: Store,
    private readonly hub: Hub,
    private readonly metrics?: Metrics,
  ) {}

  /** Fills the queue from the store; call once before serving. */
  async load(): Promise<void> {
    this.queue.push(await this.store.readyReplicas());
  }

  get queued(): number {
    return this.queue.size;
  }

  /** Up to `requested` assignments for the host; `accountId` is its owner's, when known. */
  async assign(hostId: number, requested: number, accountId?: number): Promise<Assignment[]> {
    if (accountId !== undefined) this.noteHost(accountId, hostId);
    // An idle pool polls often: with nothing queued, the allowance is not worth a read.
    if (this.queue.size === 0) {
      this.hub.markHungry(hostId, requested > 0);
      return [];
    }
    const max = await this.store.hostAllowance(hostId, requested, Date.now());
    const out: Assignment[] = [];
    for (let round = 0; round < MAX_ROUNDS && out.length < max; round++) {
      const picks = this.queue.take(hostId, max - out.length);
      if (picks.length === 0) break;
      const assigned = await this.store.assignReplicas(hostId, picks, Date.now());
      out.push(...assigned);
      if (assigned.length === picks.length) break;
      await this.putBack(hostId, picks, assigned, accountId);
    }
    // A host that may take nothing now is not woken for new work.
    this.hub.markHungry(hostId, max > 0 && out.length < requested);
    return out;
  }

  /**
   * Queues again the picks the store refused this host that are still unsent, away from
   * the hosts that hold their task and from this one, and, for jobs that keep replicas
   * apart, from every host of this account seen so far (the store would refuse them all
   * alike). The others went stale: their task settled, their job was cancelled.
   */
  private async putBack(
    hostId: number,
    picks: readonly ReadyReplica[],
    assigned: readonly Assignment[],
    accountId: number | undefined,
  ): Promise<void> {
    const sent = new Set(assigned.map((a) => a.replicaId));
    const refused = picks.filter((p) => !sent.has(p.replicaId)).map((p) => p.replicaId);
    const back = await this.store.readyAgain(refused);
    if (back.length === 0) return;
    const peers = accountId === undefined ? [] : [...(this.accountHosts.get(accountId) ?? [])];
    this.queue.push(
      back.map(({ apart, ...r }) => ({
        ...r,
        excludedHosts: [...new Set([...(r.excludedHosts ?? []), hostId, ...(apart ? peers : [])])],
      })),
    );
  }

  private noteHost(accountId: number, hostId: number): void {
    let hosts = this.accountHosts.get(accountId);
    if (!hosts) {
      hosts = new Set();
      this.accountHosts.set(accountId, hosts);
    }
    hosts.add(hostId);
  }

  /** Call after every store change: feeds the queue and wakes listeners. */
  publish(changes: ChangeSet): void {
    if (changes.outcomes) this.metrics?.countOutcomes(changes.outcomes);
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
