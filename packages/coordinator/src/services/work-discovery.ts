/**
 * @module
 * Work discovery between coordinators sharing one store. Each coordinator's ready queue is
 * a cache of the store (scheduler.ts); what another coordinator made ready (a job
 * submitted there, replicas it reissued) is found by a bounded poll here, so that a job
 * submitted through one is worked by agents connected to the others. Replica ids only
 * grow, so the poll reads what lies above the highest id it has read: when nothing
 * changed, one look at the newest id; then the ids alone, and the rows of those not
 * queued here already. Ids are split between the coordinators sharing the store by their
 * slots (policy/partition.ts): this one reads the rows of its own slot as its queue needs
 * them, and the others' only once its own slot is done and its queue nearly empty, so
 * that N coordinators do not each read every row and then race for it. (`lagMs` looks
 * again at recent ids, for a store whose ids could become visible out of order; ours
 * cannot, so it is 0.) The poll also tells result streams open here that their job may
 * have changed when the store's result cursor moved (a task settled through another
 * coordinator). And when this coordinator's queue is empty it reads every ready replica
 * now and then, so work whose only queue died with its coordinator is not left
 * behind. Soft state another coordinator may change is refreshed too: jobs that ended
 * (cancelled there) leave the queue, and accounts' fair-share weights are read again. The
 * store's guarded assignment has the last word throughout: a replica another coordinator
 * sent first is refused and dropped from the queue.
 */

import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { owns, type Partition, type ReadyReplica, samePartition } from '../policy/index.js';
import type { Store } from '../store/store.js';
import type { Hub } from './hub.js';
import type { Scheduler } from './scheduler.js';

/** Default of `serve --discovery-ms`: how often the store is polled for work found elsewhere. */
export const DEFAULT_DISCOVERY_MS = 300;

/**
 * How long after it was created a replica id is looked at again by the poll, for a store
 * whose ids could become visible out of order. Neither of ours: on SQLite one writer at a
 * time, and on PostgreSQL each transaction holds the store's lock from before it takes an
 * id until it commits (postgres/pg-database.ts), so ids become visible in order. Looking
 * again cost a coordinator a read of every id a big local job made, every poll.
 */
export const DEFAULT_DISCOVERY_LAG_MS = 0;

/** An idle coordinator reads every ready replica at most this often. */
const REFILL_MS = 5_000;

/**
 * Found ids are read a window at a time, once the queue holds fewer than this many
 * replicas: with three coordinators each had read the rows of every replica of a
 * 20 000-task job made elsewhere, though its agents took a third of them; most of the rest
 * are gone (taken through the others) by the time its queue needs them, and a read skips
 * those.
 */
export const DISCOVERY_WINDOW = 4_000;

/**
 * Replicas of other coordinators' slots are read only once this coordinator's queue holds
 * fewer than this many and nothing of its own slot waits: its hosts would otherwise stand
 * idle while another coordinator's slot (one that died, or whose hosts are few) waits.
 */
export const SPARE_BELOW = 256;

/** Jobs known here are checked against the store's running ones at most this often. */
const JOBS_CHECK_MS = 1_000;

/** How often accounts' fair-share weights (an admin may set them anywhere) are read again. */
const SHARES_MS = 5_000;

export interface DiscoveryOptions {
  readonly intervalMs?: number;
  readonly lagMs?: number;
}

export class WorkDiscovery {
  /** Every ready replica at or below it is in the queue or was taken. */
  private floor = 0;
  /** Every replica up to it was read once. */
  private newest = 0;
  /** Ids above the floor this coordinator queued already. */
  private readonly known = new Set<number>();
  /** Ids of this coordinator's slot found ready and not read yet, mostly ascending. */
  private pending: number[] = [];
  /** The same, of other coordinators' slots: read only when this one runs dry. */
  private spare: number[] = [];
  /** The ids of both lists. */
  private readonly pendingIds = new Set<number>();
  /** The slot the lists were split by. */
  private partition: Partition;
  /** The newest id seen at each recent poll, oldest first: the floor follows `lagMs` behind. */
  private marks: Array<{ at: number; id: number }> = [];
  private cursor = 0;
  private refilledAt = 0;
  private jobsCheckedAt = 0;
  /**
   * The cursor moved since jobs were last checked: a job may have ended elsewhere. Kept
   * until the check runs, since a move within `JOBS_CHECK_MS` of the last check is not
   * seen again.
   */
  private endedCheckDue = false;
  private sharesAt = 0;
  /** Accounts whose weight was not the default at the last read. */
  private weighted = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private readonly intervalMs: number;
  private readonly lagMs: number;

  constructor(
    private readonly store: Store,
    private readonly scheduler: Scheduler,
    private readonly hub: Hub,
    private readonly log: Logger,
    options: DiscoveryOptions = {},
  ) {
    this.partition = scheduler.partition;
    this.intervalMs = options.intervalMs ?? DEFAULT_DISCOVERY_MS;
    this.lagMs = options.lagMs ?? DEFAULT_DISCOVERY_LAG_MS;
  }

  /**
   * Reads where the store stands; call before the scheduler's first `load`, which then
   * counts as read (its replicas and every one queued later are noted, not read again).
   */
  async begin(now = Date.now()): Promise<void> {
    this.scheduler.onQueued((ready, others) => {
      this.note(ready);
      this.notePending(others);
    });
    const id = await this.store.newestReplicaId();
    this.floor = id;
    this.newest = id;
    this.marks = [{ at: now, id }];
    this.cursor = await this.store.resultCursor();
    this.weighted = new Set((await this.store.accountShares()).keys());
    this.sharesAt = now;
  }

  start(): void {
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
  }

  /** One poll; one still under way is not started twice. */
  poll(now = Date.now()): Promise<void> {
    this.polling ??= this.pollOnce(now)
      .catch((err) => this.log.warn({ err }, 'work poll failed; retrying next tick'))
      .finally(() => {
        this.polling = undefined;
      });
    return this.polling;
  }

  private note(ready: readonly ReadyReplica[]): void {
    for (const r of ready) if (r.replicaId > this.floor) this.known.add(r.replicaId);
  }

  private async pollOnce(now: number): Promise<void> {
    this.resplit();
    const top = await this.store.newestReplicaId();
    const found: ReadyReplica[] = [];
    const readBefore = this.newest;
    if (top > this.newest) {
      // Ids first: most new replicas are this coordinator's own (queued already, and
      // noted), and reading their rows again would cost a big job's submit twice over.
      const ids = await this.store.readyReplicaIds(this.newest);
      this.notePending(ids);
      this.newest = Math.max(top, ...ids.slice(-1));
    }
    if (this.floor < readBefore) await this.lookAgain(readBefore);
    this.advanceFloor(now, top);
    await this.readWindow(found);
    if (
      this.scheduler.queued === 0 &&
      found.length === 0 &&
      this.pending.length === 0 &&
      this.spare.length === 0
    ) {
      await this.refill(now, found);
    }
    this.scheduler.found(found);
    if (await this.cursorMoved()) this.endedCheckDue = true;
    if (this.endedCheckDue) await this.dropEnded(now);
    await this.refreshShares(now);
  }

  /** Reads the accounts' weights again; one set back to the default is no longer listed. */
  private async refreshShares(now: number): Promise<void> {
    if (now - this.sharesAt < SHARES_MS) return;
    this.sharesAt = now;
    const shares = await this.store.accountShares();
    for (const id of this.weighted) if (!shares.has(id)) this.scheduler.setShare(id, 1);
    for (const [id, share] of shares) this.scheduler.setShare(id, share);
    this.weighted = new Set(shares.keys());
  }

  /** Ready replicas between the floor and `upTo` not queued here: committed late. */
  private async lookAgain(upTo: number): Promise<void> {
    const ids = await this.store.readyReplicaIds(this.floor);
    this.notePending(ids.filter((id) => id <= upTo));
  }

  /**
   * Notes those of `ids` neither queued here nor noted yet, to be read when the queue
   * needs them: with this slot's, or with the others'.
   */
  private notePending(ids: readonly number[]): void {
    for (const id of ids) {
      if (this.known.has(id) || this.pendingIds.has(id)) continue;
      this.pendingIds.add(id);
      if (owns(this.partition, id)) this.pending.push(id);
      else this.spare.push(id);
    }
  }

  /** Splits the noted ids again when the coordinators sharing the store changed. */
  private resplit(): void {
    const partition = this.scheduler.partition;
    if (samePartition(partition, this.partition)) return;
    this.partition = partition;
    const ids = [...this.pending, ...this.spare].sort((a, b) => a - b);
    this.pending = ids.filter((id) => owns(partition, id));
    this.spare = ids.filter((id) => !owns(partition, id));
  }

  /**
   * Reads a window of the pending ids when the queue runs low, this slot's first; the
   * others' only when this slot has nothing left and the queue is nearly empty.
   */
  private async readWindow(found: ReadyReplica[]): Promise<void> {
    const queued = this.scheduler.queued;
    if (this.pending.length > 0) {
      if (queued < DISCOVERY_WINDOW / 2) await this.read(this.pending, found);
    } else if (this.spare.length > 0 && queued < SPARE_BELOW) {
      await this.read(this.spare, found);
    }
  }

  /**
   * Reads a window of `ids` from a random point, so that coordinators reading the same
   * ids start at different places and race less for the same replicas. Those taken
   * meanwhile are not returned, and are forgotten. The window leaves `ids`.
   */
  private async read(ids: number[], found: ReadyReplica[]): Promise<void> {
    const start = ids.length <= DISCOVERY_WINDOW ? 0 : randomInt(ids.length - DISCOVERY_WINDOW + 1);
    const window = ids.splice(start, DISCOVERY_WINDOW);
    for (const id of window) this.pendingIds.delete(id);
    this.keepUnknown(await this.store.readyReplicasIn(window), found);
  }

  private keepUnknown(rows: readonly ReadyReplica[], found: ReadyReplica[]): void {
    for (const r of rows) {
      if (this.known.has(r.replicaId)) continue;
      this.known.add(r.replicaId);
      found.push(r);
    }
  }

  /** Moves the floor to the newest id seen `lagMs` ago, forgetting what lies below it. */
  private advanceFloor(now: number, top: number): void {
    this.marks.push({ at: now, id: Math.min(top, this.newest) });
    let floor = this.floor;
    while (this.marks.length > 0 && (this.marks[0]?.at ?? now) <= now - this.lagMs) {
      floor = Math.max(floor, this.marks.shift()?.id ?? floor);
    }
    if (floor === this.floor) return;
    this.floor = floor;
    for (const id of this.known) if (id <= floor) this.known.delete(id);
  }

  /** With nothing queued, every ready replica (bounded: every `REFILL_MS`). */
  private async refill(now: number, found: ReadyReplica[]): Promise<void> {
    if (now - this.refilledAt < REFILL_MS) return;
    this.refilledAt = now;
    const rows = await this.store.readyReplicas();
    // The queue is empty: every one is new to it, whatever `known` says.
    for (const r of rows) {
      if (r.replicaId > this.floor) this.known.add(r.replicaId);
      found.push(r);
    }
  }

  /**
   * Whether any task settled since the last poll; if so, result streams open here read
   * their job again.
   */
  private async cursorMoved(): Promise<boolean> {
    const cursor = await this.store.resultCursor();
    if (cursor === this.cursor) return false;
    this.cursor = cursor;
    const watched = this.hub.watchedJobs();
    if (watched.length > 0) this.hub.jobsChanged(watched);
    return true;
  }

  /**
   * Drops from the queue the jobs that no longer run: cancelled through another
   * coordinator (a cancellation settles tasks, so the cursor moves). The store would refuse
   * their replicas anyway, but a queue full of them would answer pulls with nothing. Hosts
   * connected here are told to stop those of their replicas still running.
   */
  private async dropEnded(now: number): Promise<void> {
    if (now - this.jobsCheckedAt < JOBS_CHECK_MS) return;
    this.jobsCheckedAt = now;
    this.endedCheckDue = false;
    const known = this.scheduler.placement.jobIds();
    if (known.length === 0) return;
    const running = await this.store.jobPlacements();
    const ended = known.filter((jobId) => !running.has(jobId));
    if (ended.length === 0) return;
    for (const jobId of ended) this.scheduler.dropJob(jobId);
    // Hosts connected here still running their replicas stop now, not at their next
    // heartbeat: the coordinator that ended the job told only its own.
    const stop = await this.store.stopEndedWork(this.hub.connectedHosts(), ended, now);
    for (const { hostId, replicaIds } of stop) this.hub.cancel(hostId, replicaIds);
  }
}
