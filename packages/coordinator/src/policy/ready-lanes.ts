/**
 * @module
 * The pieces the ready queue is built of: a queued replica (`ReadyReplica`), a FIFO
 * lane of them that leaves holes where entries were taken, a locality group (replicas
 * needing the same large blobs, with the pace at which hosts take them), and the state
 * of one request being answered (`Take`). Pure.
 */

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
  /** The account that submitted the job: fair share is between accounts (fair-share.ts). */
  readonly accountId: number;
  readonly priority: number;
  /** Hosts that already hold a replica of this task. */
  readonly excludedHosts?: readonly number[];
  /** A replacement for a failed, lost or disputed replica: served before fresh work. */
  readonly reissue?: boolean;
  /**
   * False on a reissue that continues no checkpoint chain (one that checks live replicas,
   * not one that replaces a dead replica): its assignment does not look for a checkpoint.
   * Absent: it may have one (reissues read back at start).
   */
  readonly mayResume?: false;
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

/** Hosts holding a replica of one task, shared by that task's queued entries. */
export interface TaskCell {
  hosts: number[];
}

export interface Entry {
  readonly replica: ReadyReplica;
  /** Null for a task's only queued entry with no excluded hosts: nothing to remember. */
  readonly cell: TaskCell | null;
}

/** Most entries looked at for one request, so a host that holds many tasks cannot stall the scheduler. */
export const SCAN_LIMIT = 20_000;
const COMPACT_AFTER = 4096;

/** One request being answered: who asks, what was taken so far, and where to stop. */
/**
 * Whether the host may be sent a job's replicas at all (its requirements, its speed
 * against the deadline: placement-fit.ts); `transferMs`: the time it would take to fetch
 * the large blobs it lacks (0 for plain replicas).
 */
export type JobEligibility = (jobId: number, transferMs: number) => boolean;

/**
 * A job eligibility test remembered for the last job asked: entries of a job come in
 * runs, so a queue of one job's tasks pays one integer comparison per entry.
 */
export class JobGate {
  private last = -1;
  private ok = true;
  /** Every job asked in this take: jobs take turns, so a job's entries come in several runs. */
  private readonly asked = new Map<number, boolean>();

  constructor(
    private readonly test: JobEligibility,
    private readonly transferMs: number,
  ) {}

  allows(jobId: number): boolean {
    if (jobId !== this.last) {
      this.last = jobId;
      let ok = this.asked.get(jobId);
      if (ok === undefined) {
        ok = this.test(jobId, this.transferMs);
        this.asked.set(jobId, ok);
      }
      this.ok = ok;
    }
    return this.ok;
  }
}

export interface Take {
  readonly hostId: number;
  readonly out: ReadyReplica[];
  /** Stop taking once `out` holds this many (moved down to give a part to one account or job). */
  limit: number;
  /** Entries looked at so far, against `SCAN_LIMIT`. */
  scanned: number;
  readonly now: number;
  readonly locality: LocalityView | undefined;
  /** Cancelled jobs: their entries are dropped as they come up. */
  readonly dropped: ReadonlySet<number>;
  /** Which jobs the host may run; absent: all (no job asks anything of hosts). */
  readonly eligible: JobEligibility | undefined;
  /** `eligible` for plain replicas (nothing to fetch), made once per take. */
  readonly gate: JobGate | undefined;
}

/** A FIFO lane; taken entries become holes that the head skips. */
export class Lane {
  items: (Entry | null)[] = [];
  head = 0;
  /** Entries in the lane that were not taken yet. */
  live = 0;

  /** `jobId`: the job whose fresh replicas this lane holds; -1 for a lane of many jobs. */
  constructor(readonly jobId = -1) {}

  push(entry: Entry): void {
    this.items.push(entry);
    this.live++;
  }

  compact(): void {
    while (this.head < this.items.length && this.items[this.head] === null) this.head++;
    if (this.head > COMPACT_AFTER && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** Forgets every entry (its job was cancelled); returns how many there were. */
  clear(): number {
    const n = this.live;
    this.items = [];
    this.head = 0;
    this.live = 0;
    return n;
  }
}

/** Window over which a group's take rate is measured. */
const RATE_WINDOW_MS = 10_000;

/** Replicas of one job and priority needing the same large blobs, and how fast hosts take them. */
export class Group {
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
