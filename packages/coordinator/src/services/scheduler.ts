/**
 * @module
 * Answers work requests from the in-memory ready queue (BOINC's feeder) and publishes
 * what each store transaction changed: new replicas join the queue, result streams hear
 * about their jobs, connected agents hear that work waits. The queue is a cache of the
 * store, rebuilt at start; the store's guarded assignment has the last word. A host is
 * first asked no more than its work allowance (quota, quarantine, failures), and a
 * replica the store refused to this host (another of its task sits with the same
 * account or network) goes back in the queue for others. Replicas needing large blobs
 * go first to hosts that hold them, as far as the locality hints (blob-locality.ts)
 * know: reported by agents, and noted here when such a replica is sent. A host is not
 * offered the replicas of jobs whose requirements it fails, nor of jobs whose tasks it
 * could not finish before their deadline at its speed (placement-facts.ts,
 * policy/placement-fit.ts), nor of jobs whose price ceiling its asks exceed; a paid
 * job's work waits a moment for a cheaper host waiting for work (price-preference.ts:
 * the continuous reverse auction). Accounts share
 * the pool by their fair-share weights (policy/fair-share.ts); picks the store did not
 * assign are not billed.
 */

import { randomInt } from 'node:crypto';
import type { Assignment } from '@anygrid/protocol';
import {
  BlobLocality,
  DEFAULT_BANDWIDTH_BYTES_PER_S,
  type HoldingsChange,
  type LocalityView,
  owns,
  type Partition,
  ReadyQueue,
  type ReadyReplica,
  WHOLE,
} from '../policy/index.js';
import type { ChangeSet, Placement, Store } from '../store/store.js';
import type { Hub } from './hub.js';
import type { Metrics } from './metrics.js';
import { PlacementFacts } from './placement-facts.js';
import { PRICE_WAIT_MS } from './price-preference.js';

/** Rounds of take-and-assign per request; later rounds only replace stale or refused entries. */
const MAX_ROUNDS = 4;

/**
 * More rounds a request may spend on entries that were all stale. Coordinators sharing a
 * store each queue the replicas they find, and another coordinator's hosts may have taken
 * the head of this queue already: a host that asks for a few must reach past them, not
 * go away empty while ready work waits further on.
 */
const STALE_ROUNDS = 60;

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

/** A pull's answer: its assignments, and whether the host was held back by its in-flight bound while work waits. */
export interface WorkGiven {
  readonly assignments: Assignment[];
  readonly more: boolean;
}

const NOTHING: WorkGiven = { assignments: [], more: false };

/** Replicas a store call made ready: those queued here, and the ids left to other slots. */
export type QueuedListener = (queued: readonly ReadyReplica[], others: readonly number[]) => void;

export interface SchedulerOptions {
  /** Download bandwidth assumed for a host that reported none, bytes per second; default `DEFAULT_BANDWIDTH_BYTES_PER_S`. */
  readonly bandwidth?: number;
  /** The coordinator's bound on a host's work buffer, in seconds per slot; default `MAX_BUFFER_SECONDS`. */
  readonly maxBufferSeconds?: number;
}

export class Scheduler {
  private readonly queue = new ReadyQueue();
  /** Which hosts hold which large blobs: soft state, rebuilt from agents' reports. */
  private readonly locality = new BlobLocality();
  /** Jobs' requirements and task sizes, hosts' capabilities: soft state for placement. */
  readonly placement: PlacementFacts;
  private readonly maxBufferSeconds: number | undefined;
  private readonly view: LocalityView;
  /** Hosts seen pulling, by account: a replica refused to one is kept from them all. */
  private readonly accountHosts = new Map<number, Set<number>>();
  /** Hosts the store found quarantined, until when to answer them without asking it. */
  private readonly quarantined = new Map<number, number>();
  /** Replicas kept back since the last wake-up, and its timer. */
  private deferredSinceWake = 0;
  private wake: NodeJS.Timeout | undefined;
  /** The wake-up after paid work was held back for a better bidder. */
  private priceWake: NodeJS.Timeout | undefined;

  /**
   * Told of every replica this coordinator's own store calls made ready: those it queued,
   * and those it left to the coordinators whose slot they fall in (work-discovery.ts).
   */
  private queuedListener: QueuedListener | undefined;
  /** This coordinator's slot among those sharing the store (policy/partition.ts). */
  private slot: Partition = WHOLE;

  /** When each host last pulled (epoch ms): idle hosts touch no store row when nothing is queued. */
  private readonly pulls = new Map<number, number>();

  constructor(
    private readonly store: Store,
    private readonly hub: Hub,
    private readonly metrics?: Metrics,
    options: SchedulerOptions = {},
  ) {
    this.placement = new PlacementFacts(store, (hostId) => hub.isConnected(hostId));
    metrics?.watchQueue(() => this.queue.size);
    const locality = this.locality;
    const bandwidth = options.bandwidth ?? DEFAULT_BANDWIDTH_BYTES_PER_S;
    this.maxBufferSeconds = options.maxBufferSeconds;
    this.view = {
      holdsAny: (hostId) => locality.holdsAny(hostId),
      holds: (hostId, hash) => locality.holds(hostId, hash),
      liveHolder: (hashes, hostId, now) => locality.liveHolder(hashes, hostId, now),
      bandwidth: (hostId) => locality.bandwidth(hostId) ?? bandwidth,
    };
  }

  /** Applies a host's report of the large blobs it holds (at registration, in work requests). */
  noteBlobs(hostId: number, change: HoldingsChange): void {
    this.locality.apply(hostId, change);
  }

  /** Hosts that pulled at or after `since`. */
  pulledSince(since: number): number[] {
    const out: number[] = [];
    for (const [hostId, at] of this.pulls) {
      if (at >= since) out.push(hostId);
      else this.pulls.delete(hostId);
    }
    this.placement.prune(since);
    return out;
  }

  /** Fills the queue from the store, with the accounts' fair-share weights; call once before serving. */
  async load(): Promise<void> {
    await this.placement.load();
    for (const [accountId, share] of await this.store.accountShares()) {
      this.queue.setShare(accountId, share);
    }
    this.enqueue(await this.store.readyReplicas());
  }

  /**
   * Calls `listener` with the replicas each later `load` and `publish` queue, and the ids
   * of those they left to other coordinators' slots.
   */
  onQueued(listener: QueuedListener): void {
    this.queuedListener = listener;
  }

  get partition(): Partition {
    return this.slot;
  }

  /**
   * The coordinators sharing the store changed (membership.ts): replicas made ready here
   * from now on are queued only when they fall in this slot. Those queued already stay.
   */
  setPartition(partition: Partition): void {
    this.slot = partition;
  }

  /** Queues the replicas of this slot; the others are left for the poll (work-discovery.ts). */
  private enqueue(ready: readonly ReadyReplica[]): number {
    let mine = ready;
    const others: number[] = [];
    if (this.slot.count > 1) {
      const own: ReadyReplica[] = [];
      for (const r of ready) {
        if (owns(this.slot, r.replicaId)) own.push(r);
        else others.push(r.replicaId);
      }
      mine = own;
    }
    this.queue.push(mine);
    this.queuedListener?.(mine, others);
    return mine.length;
  }

  /**
   * Queues replicas another coordinator sharing the store made ready (a work poll found
   * them), and wakes this coordinator's idle agents for them. A job it had not heard of
   * has its placement facts read.
   */
  found(ready: readonly ReadyReplica[]): void {
    if (ready.length === 0) return;
    // Queued from a random point of the batch: the coordinators that found it start at
    // different places and race less for the same replicas.
    const from = randomInt(ready.length);
    this.queue.push(from === 0 ? ready : [...ready.slice(from), ...ready.slice(0, from)]);
    if (ready.some((r) => !this.placement.knowsJob(r.jobId))) {
      this.placement.load().catch(() => undefined);
    }
    this.hub.workAvailable(ready.length);
  }

  get queued(): number {
    return this.queue.size;
  }

  /** Replicas of the account's jobs waiting in the queue. */
  queuedOf(accountId: number): number {
    return this.queue.queuedOf(accountId);
  }

  /** An admin changed the account's weight (already stored): it counts from the next request. */
  setShare(accountId: number, share: number): void {
    this.queue.setShare(accountId, share);
  }

  /**
   * Up to `requested` assignments for the host; `accountId` is its owner's, when known;
   * `bufferSeconds` the work buffer it asked for (policy/in-flight-cap.ts).
   */
  async assign(
    hostId: number,
    requested: number,
    accountId?: number,
    bufferSeconds?: number,
  ): Promise<WorkGiven> {
    if (accountId !== undefined) this.noteHost(accountId, hostId);
    this.pulls.set(hostId, Date.now());
    const buffer = { bufferSeconds, maxBufferSeconds: this.maxBufferSeconds };
    let capped = false;
    let cappedUnknown = false;
    const until = this.quarantined.get(hostId);
    if (until !== undefined && until > Date.now()) return NOTHING;
    // An idle pool polls often: with nothing queued, the allowance is not worth a read.
    if (this.queue.size === 0) {
      this.hub.markHungry(hostId, requested > 0);
      this.placement.prices.pulled(hostId, requested > 0, Date.now());
      // A host waiting for work bids for the next paid job with what the store says of
      // it (its stake, its reputation), not only with the asks it declared: read them now
      // (at most every HOST_FACTS_MS, only when it asks a price or a job is constrained),
      // without holding up the empty answer.
      this.placement.refresh(hostId, Date.now())?.catch(() => {});
      return NOTHING;
    }
    const max = await this.store.hostAllowance(hostId, requested, Date.now());
    const out: Assignment[] = [];
    if (max > 0) this.locality.pulled(hostId, Date.now());
    const reading = this.placement.refresh(hostId, Date.now());
    if (reading) await reading;
    let held = false;
    const eligible = this.placement.eligibility(hostId, Date.now(), () => {
      held = true;
    });
    let staleRounds = 0;
    let stale = false;
    for (let round = 0; round < MAX_ROUNDS + staleRounds && out.length < max; round++) {
      const picks = this.queue.take(hostId, max - out.length, Date.now(), this.view, eligible);
      if (picks.length === 0) break;
      const placement: Placement = { deferred: [], apart: [], quarantined: false };
      const assigned = await this.store.assignReplicas(
        hostId,
        picks,
        Date.now(),
        placement,
        buffer,
      );
      capped ||= placement.capped === true;
      cappedUnknown ||= placement.cappedUnknown === true;
      // The store knows the host better than the scheduler did: read it again next pull.
      if (placement.unfit) this.placement.refusedHost(hostId);
      out.push(...assigned);
      this.noteSent(hostId, picks, assigned);
      if (assigned.length < picks.length) this.queue.refund(unsent(picks, assigned));
      // Neither sent nor refused: another coordinator sent them first, or their task settled.
      const gone = picks.length - assigned.length - placement.deferred.length;
      if (gone > 0) stale = true;
      if (gone === picks.length && staleRounds < STALE_ROUNDS) staleRounds++;
      // Refused but still ready: back in the queue for other hosts.
      if (placement.deferred.length > 0) this.requeue(hostId, picks, placement, accountId);
      if (placement.quarantined) {
        this.quarantined.set(hostId, Date.now() + QUARANTINE_RECHECK_MS);
        break;
      }
      this.quarantined.delete(hostId);
      if (assigned.length === picks.length || capped) break;
    }
    // A host that may take nothing now is not woken for new work.
    // Nor one holding all the work its buffer allows: it asks again once it reports.
    const hungry = max > 0 && out.length < requested && !capped;
    this.hub.markHungry(hostId, hungry);
    this.placement.prices.pulled(hostId, hungry, Date.now());
    // Paid work held back for a better bidder: if that bidder does not take it, this host
    // may, once the wait is over.
    if (held) this.wakeAfter(PRICE_WAIT_MS);
    // Stale entries ended the request short while more wait: hungry hosts ask again soon,
    // as no new replica will wake them (every one queued here was known already).
    if (hungry && stale && this.queue.size > 0) this.wakeSoon(0);
    // Held back by its in-flight bound while work waits: it asks again as its runs end,
    // not woken by an announcement (it is not hungry). Not when a new job's small bound
    // held it back: that job's replicas fit only once the host has run its buffer low.
    return { assignments: out, more: capped && !cappedUnknown && this.queue.size > 0 };
  }

  /** A host sent a replica needing large blobs will fetch them: it holds them from now on. */
  private noteSent(
    hostId: number,
    picks: readonly ReadyReplica[],
    assigned: readonly Assignment[],
  ) {
    let sent: Set<number> | undefined;
    for (const pick of picks) {
      if (!pick.large) continue;
      sent ??= new Set(assigned.map((a) => a.replicaId));
      if (sent.has(pick.replicaId))
        this.locality.add(
          hostId,
          pick.large.map((b) => b.hash),
        );
    }
  }

  /**
   * Queues again the picks the store refused this host that stay ready (the others went
   * stale: their task settled, their job was cancelled). One refused for a rule that does
   * not wear off (its task is with this host, its account, its network, or another
   * platform) is kept from this host and from every host of its account seen so far: the
   * store would refuse them all alike. One held back for a while (spread, untrusted caps,
   * a check waiting for a trusted host, quota, quarantine) is queued as it was, and idle
   * hosts are woken for it soon after.
   */
  private requeue(
    hostId: number,
    picks: readonly ReadyReplica[],
    placement: Placement,
    accountId: number | undefined,
  ): void {
    const deferred = new Set(placement.deferred.map((p) => p.replicaId));
    const apart = new Set(placement.apart);
    const peers = accountId === undefined ? [] : [...(this.accountHosts.get(accountId) ?? [])];
    const back: ReadyReplica[] = [];
    const byId = new Map(picks.map((p) => [p.replicaId, p]));
    for (const d of placement.deferred) {
      const r = byId.get(d.replicaId);
      if (r === undefined) continue;
      if (!apart.has(r.replicaId)) back.push(r);
      else {
        back.push({
          ...r,
          excludedHosts: [...new Set([...(r.excludedHosts ?? []), hostId, ...peers])],
        });
      }
    }
    this.queue.push(back);
    this.wakeSoon(deferred.size);
  }

  /** Tells hungry hosts shortly that `n` more replicas wait (gathered: one wake at a time). */
  private wakeSoon(n: number): void {
    this.deferredSinceWake += n;
    this.wake ??= setTimeout(() => {
      this.wake = undefined;
      const waiting = this.deferredSinceWake;
      this.deferredSinceWake = 0;
      this.hub.workAvailable(waiting);
    }, DEFERRED_WAKE_MS).unref();
  }

  /** Tells hungry hosts after `ms` that work may wait (one timer at a time). */
  private wakeAfter(ms: number): void {
    if (this.priceWake) return;
    this.priceWake = setTimeout(() => {
      this.priceWake = undefined;
      if (this.queue.size > 0) this.hub.workAvailable(this.queue.size);
    }, ms).unref();
  }

  /** An admin lifted the host's quarantine: its next pull asks the store again at once. */
  released(hostId: number): void {
    this.quarantined.delete(hostId);
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
    if (changes.runtimes) this.placement.addRuntimes(changes.runtimes);
    if (changes.ready.length > 0) {
      const queued = this.enqueue(changes.ready);
      if (queued > 0) this.hub.workAvailable(queued);
    }
    for (const { hostId, replicaIds } of changes.stop ?? []) this.hub.cancel(hostId, replicaIds);
    this.hub.jobsChanged(changes.jobs);
  }

  /** A cancelled job's queued replicas are skipped from now on. */
  dropJob(jobId: number): void {
    this.queue.dropJob(jobId);
    this.placement.dropJob(jobId);
  }
}

/** The picks the store did not assign: refused, or stale. */
function unsent(picks: readonly ReadyReplica[], assigned: readonly Assignment[]): ReadyReplica[] {
  const sent = new Set(assigned.map((a) => a.replicaId));
  return picks.filter((p) => !sent.has(p.replicaId));
}
