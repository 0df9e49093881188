/**
 * @module
 * The feeder's in-memory queue of replicas ready to send, as BOINC's feeder keeps one:
 * the scheduler answers work requests from here instead of scanning the store. Higher
 * priority first; within a priority, reissued replicas before fresh ones (a retry
 * should not wait behind a million new tasks), then first come first served. A host is
 * never offered a replica of a task it already holds. The store stays the truth: an
 * entry may be stale (its job was cancelled), and the guarded assignment in the store
 * drops it. Pure and synchronous, so it can be driven without a store or a clock.
 *
 * Data locality: a replica whose task needs large blobs (its module or inputs of at
 * least `LOCALITY_BLOB_BYTES`) waits in a group of replicas needing the same blobs, not
 * in the plain lanes. Within a priority a host is served first from the groups whose
 * blobs it holds, then plain replicas, then groups it would have to download for, and
 * those only when `worthFetching` says so (transfer-choice.ts). Plain replicas pay one
 * check per priority level for this: the fast path stays as it was.
 *
 * Job eligibility: a take may carry a test of whether the host may run a job at all (its
 * requirements, its speed against the deadline: placement-fit.ts). Entries of jobs it
 * fails stay queued for other hosts. The test runs once per run of consecutive entries
 * of one job (`JobGate`), so a queue of one job's tasks pays one integer comparison per
 * entry, and a take without a test pays nothing.
 */

import { worthFetching } from './transfer-choice.js';

/** A large blob a task needs, by hash and size. */
export interface LargeBlob {
  readonly hash: string;
  readonly size: number;
}

/** One replica waiting to be sent. */
export interface ReadyReplica {
  readonly replicaId: number;
  readonly taskId: number;
  readonly jobId: number;
  readonly priority: number;
  /** Hosts that already hold a replica of this task. */
  readonly excludedHosts?: readonly number[];
  /** A replacement for a failed, lost or disputed replica: served before fresh work. */
  readonly reissue?: boolean;
  /** The task's large blobs (module and inputs of at least `LOCALITY_BLOB_BYTES`); absent: none. */
  readonly large?: readonly LargeBlob[];
}

/** What the queue needs to know of hosts' blobs to place replicas that need large ones. */
export interface LocalityView {
  /** Whether the host holds any large blob at all (most pulls of most hosts: no). */
  holdsAny(hostId: number): boolean;
  holds(hostId: number, hash: string): boolean;
  /** Whether a host other than `hostId`, pulling lately, holds all of `hashes`. */
  liveHolder(hashes: readonly string[], hostId: number, now: number): boolean;
  /** The host's download bandwidth in bytes per second (measured or assumed). */
  bandwidth(hostId: number): number;
}

/**
 * Whether the host may be sent a job's replicas at all; `transferMs`: the time it would
 * take to fetch the large blobs it lacks (0 for plain replicas).
 */
export type JobEligibility = (jobId: number, transferMs: number) => boolean;

/** A job eligibility test, remembered for the last job asked: entries of a job come in runs. */
class JobGate {
  private last = -1;
  private ok = true;

  constructor(
    private readonly test: JobEligibility,
    private readonly transferMs: number,
  ) {}

  allows(jobId: number): boolean {
    if (jobId !== this.last) {
      this.last = jobId;
      this.ok = this.test(jobId, this.transferMs);
    }
    return this.ok;
  }
}

/** Hosts holding a replica of one task, shared by that task's queued entries. */
interface TaskCell {
  hosts: number[];
}

interface Entry {
  readonly replica: ReadyReplica;
  /** Null for a task's only queued entry with no excluded hosts: nothing to remember. */
  readonly cell: TaskCell | null;
}

/** Most entries looked at for one request, so a host that holds many tasks cannot stall the scheduler. */
const SCAN_LIMIT = 20_000;
const COMPACT_AFTER = 4096;

/** One request being answered. */
interface Take {
  readonly hostId: number;
  readonly max: number;
  readonly out: ReadyReplica[];
  readonly budget: { scanned: number };
  readonly eligible: JobEligibility | undefined;
}

/** A FIFO lane; taken entries become holes that the head skips. */
class Lane {
  items: (Entry | null)[] = [];
  head = 0;

  compact(): void {
    while (this.head < this.items.length && this.items[this.head] === null) this.head++;
    if (this.head > COMPACT_AFTER && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

class Level {
  readonly reissues = new Lane();
  readonly fresh = new Lane();
  size = 0;
  /** Replicas needing large blobs, by the blobs they need; created when the first comes. */
  groups: Map<string, Group> | undefined;
}

/** Window over which a group's take rate is measured. */
const RATE_WINDOW_MS = 10_000;

/** Replicas of one priority needing the same large blobs, and how fast hosts take them. */
class Group {
  readonly reissues = new Lane();
  readonly fresh = new Lane();
  size = 0;
  readonly hashes: string[];
  private windowStart = Number.NaN;
  private current = 0;
  private previous = 0;

  constructor(readonly blobs: readonly LargeBlob[]) {
    this.hashes = blobs.map((b) => b.hash);
  }

  /** Bytes of this group's blobs the host does not hold. */
  missingBytes(hostId: number, locality: LocalityView): number {
    let bytes = 0;
    for (const b of this.blobs) if (!locality.holds(hostId, b.hash)) bytes += b.size;
    return bytes;
  }

  taken(n: number, now: number): void {
    this.roll(now);
    this.current += n;
  }

  /**
   * Replicas taken per second over the last one to two windows. In a group's first
   * window the span counts a whole window before it, so the pace is underestimated and
   * hosts without the inputs join in rather than wait: when a job starts, spreading its
   * work is right; once the holders' pace is known, it decides.
   */
  rate(now: number): number {
    this.roll(now);
    if (Number.isNaN(this.windowStart)) return 0;
    return (this.previous + this.current) / ((RATE_WINDOW_MS + now - this.windowStart) / 1000);
  }

  private roll(now: number): void {
    if (Number.isNaN(this.windowStart)) this.windowStart = now;
    const elapsed = now - this.windowStart;
    if (elapsed >= 2 * RATE_WINDOW_MS) {
      this.previous = 0;
      this.current = 0;
      this.windowStart = now;
    } else if (elapsed >= RATE_WINDOW_MS) {
      this.previous = this.current;
      this.current = 0;
      this.windowStart += RATE_WINDOW_MS;
    }
  }
}

export class ReadyQueue {
  private readonly levels = new Map<number, Level>();
  /** Priorities present, highest first. */
  private priorities: number[] = [];
  private readonly droppedJobs = new Set<number>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /**
   * Queues replicas; consecutive entries of one task (a new task's replicas) share what
   * hosts they went to. Each replica must be pushed once.
   */
  push(replicas: readonly ReadyReplica[]): void {
    for (let i = 0; i < replicas.length; ) {
      const first = replicas[i] as ReadyReplica;
      let j = i + 1;
      while (j < replicas.length && (replicas[j] as ReadyReplica).taskId === first.taskId) j++;
      const excluded = first.excludedHosts ?? [];
      const cell = j - i > 1 || excluded.length > 0 ? { hosts: [...excluded] } : null;
      for (let k = i; k < j; k++) this.pushEntry({ replica: replicas[k] as ReadyReplica, cell });
      i = j;
    }
  }

  private pushEntry(entry: Entry): void {
    const { priority, reissue } = entry.replica;
    let level = this.levels.get(priority);
    if (!level) {
      level = new Level();
      this.levels.set(priority, level);
      this.priorities = [...this.levels.keys()].sort((a, b) => b - a);
    }
    const large = entry.replica.large;
    const home = large && large.length > 0 ? this.groupOf(level, large) : level;
    (reissue ? home.reissues : home.fresh).items.push(entry);
    if (home !== level) home.size++;
    level.size++;
    this.count++;
  }

  private groupOf(level: Level, large: readonly LargeBlob[]): Group {
    level.groups ??= new Map();
    const key =
      large.length === 1 ? (large[0] as LargeBlob).hash : large.map((b) => b.hash).join(',');
    let group = level.groups.get(key);
    if (!group) {
      group = new Group(large);
      level.groups.set(key, group);
    }
    return group;
  }

  /**
   * Removes and returns up to `max` entries the host may run, at most one per task,
   * highest priority first. The host is recorded against each task it takes. With a
   * locality view, replicas needing large blobs go first to hosts that hold them (see
   * the module comment); without one they are served like any other, after plain ones.
   * With `eligible`, entries of jobs the host may not run are left for other hosts.
   */
  take(
    hostId: number,
    max: number,
    now = 0,
    locality?: LocalityView,
    eligible?: JobEligibility,
  ): ReadyReplica[] {
    const out: ReadyReplica[] = [];
    const budget = { scanned: 0 };
    const gate = eligible && new JobGate(eligible, 0);
    for (const priority of [...this.priorities]) {
      const level = this.levels.get(priority) as Level;
      const take = { hostId, max, out, budget, eligible };
      if (level.groups && locality?.holdsAny(hostId)) {
        this.takeGroups(level, take, now, locality, true);
      }
      for (const lane of [level.reissues, level.fresh]) {
        this.takeFrom(lane, level, undefined, take, gate);
        lane.compact();
      }
      if (level.groups) this.takeGroups(level, take, now, locality, false);
      if (level.size === 0) this.dropLevel(priority);
      if (out.length >= max || budget.scanned >= SCAN_LIMIT) break;
    }
    return out;
  }

  /** Takes from the groups the host holds (`held`), or from those worth fetching for. */
  private takeGroups(
    level: Level,
    take: Take,
    now: number,
    locality: LocalityView | undefined,
    held: boolean,
  ): void {
    const groups = level.groups as Map<string, Group>;
    for (const [key, group] of groups) {
      if (take.out.length >= take.max || take.budget.scanned >= SCAN_LIMIT) break;
      take.budget.scanned++;
      const missing = locality ? group.missingBytes(take.hostId, locality) : 1;
      if (held !== (missing === 0)) continue;
      if (
        locality &&
        !held &&
        !worthFetching({
          missingBytes: missing,
          bandwidth: locality.bandwidth(take.hostId),
          backlog: group.size,
          takeRate: group.rate(now),
          liveHolder: locality.liveHolder(group.hashes, take.hostId, now),
        })
      ) {
        continue;
      }
      const before = take.out.length;
      const transferMs = locality ? (missing / locality.bandwidth(take.hostId)) * 1000 : 0;
      const gate = take.eligible && new JobGate(take.eligible, transferMs);
      for (const lane of [group.reissues, group.fresh]) {
        this.takeFrom(lane, level, group, take, gate);
        lane.compact();
      }
      if (take.out.length > before) group.taken(take.out.length - before, now);
      if (group.size === 0) groups.delete(key);
    }
    if (groups.size === 0) level.groups = undefined;
  }

  private takeFrom(
    lane: Lane,
    level: Level,
    group: Group | undefined,
    take: Take,
    gate: JobGate | undefined,
  ): void {
    const { hostId, max, out, budget } = take;
    const items = lane.items;
    for (
      let i = lane.head;
      i < items.length && out.length < max && budget.scanned < SCAN_LIMIT;
      i++
    ) {
      const entry = items[i];
      if (!entry) continue;
      budget.scanned++;
      const dropped = this.droppedJobs.has(entry.replica.jobId);
      if (!dropped && entry.cell?.hosts.includes(hostId)) continue;
      if (!dropped && gate !== undefined && !gate.allows(entry.replica.jobId)) continue;
      items[i] = null;
      level.size--;
      if (group) group.size--;
      this.count--;
      if (dropped) continue;
      entry.cell?.hosts.push(hostId);
      out.push(entry.replica);
    }
  }

  /** Forgets a cancelled job's entries as they come up, without a scan now. */
  dropJob(jobId: number): void {
    this.droppedJobs.add(jobId);
  }

  private dropLevel(priority: number): void {
    this.levels.delete(priority);
    this.priorities = this.priorities.filter((p) => p !== priority);
  }
}
