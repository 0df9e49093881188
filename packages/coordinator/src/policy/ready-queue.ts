/**
 * @module
 * The feeder's in-memory queue of replicas ready to send, as BOINC's feeder keeps one:
 * the scheduler answers work requests from here instead of scanning the store. Higher
 * priority first; within a priority, reissued replicas before fresh ones (a retry
 * should not wait behind a million new tasks), then first come first served. A host is
 * never offered a replica of a task it already holds. The store stays the truth: an
 * entry may be stale (its job was cancelled), and the guarded assignment in the store
 * drops it. Pure and synchronous, so it can be driven without a store or a clock.
 */

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
    (reissue ? level.reissues : level.fresh).items.push(entry);
    level.size++;
    this.count++;
  }

  /**
   * Removes and returns up to `max` entries the host may run, at most one per task,
   * highest priority first. The host is recorded against each task it takes.
   */
  take(hostId: number, max: number): ReadyReplica[] {
    const out: ReadyReplica[] = [];
    const budget = { scanned: 0 };
    for (const priority of [...this.priorities]) {
      const level = this.levels.get(priority) as Level;
      for (const lane of [level.reissues, level.fresh]) {
        this.takeFrom(lane, level, hostId, max, out, budget);
        lane.compact();
      }
      if (level.size === 0) this.dropLevel(priority);
      if (out.length >= max || budget.scanned >= SCAN_LIMIT) break;
    }
    return out;
  }

  private takeFrom(
    lane: Lane,
    level: Level,
    hostId: number,
    max: number,
    out: ReadyReplica[],
    budget: { scanned: number },
  ): void {
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
      items[i] = null;
      level.size--;
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
