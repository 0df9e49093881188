/**
 * @module
 * The scheduler's soft state for requirements and speed- and deadline-aware placement:
 * each running job's requirements, deadline and task size (the requester's estimate, and
 * the sums of its reported run times, fed by every report transaction), and the declared
 * capabilities of hosts that pulled lately (read from the store at a host's first pull,
 * again after `HOST_FACTS_MS`, after it registers or says its speed changed, and after the
 * store refused it a job's replicas for their requirements). Like the locality hints it is
 * a cache: rebuilt at start, re-read from the store every `JOBS_RESYNC_MS`, and the store's
 * assignment has the last word on requirements and prices. A take gets an eligibility
 * test only when some job could rule a host out (requirements, size, pricing) or the host
 * asks a price (free jobs rule it out), so a pool of volunteers and plain jobs pays
 * nothing; with paid jobs about, the test also holds a paid job's work back a moment
 * from a host a cheaper one outbids (price-preference.ts).
 */

import type { Asks, JobPricing, JobRequirements } from '@anygrid/protocol';
import {
  asksNothing,
  type HostCapabilities,
  type JobEligibility,
  type JobPlacement,
  measuredSize,
  placeable,
  type ReplicaShape,
} from '../policy/index.js';
import type { JobPlacementFacts, JobRuntimes, Store } from '../store/store.js';
import { type Bidder, PricePreference } from './price-preference.js';

/** How long a host's capabilities (and reputation) are trusted before they are read again. */
export const HOST_FACTS_MS = 30_000;

/** How often the job facts are replaced by the store's: drops finished jobs, heals drift. */
export const JOBS_RESYNC_MS = 5 * 60_000;

interface JobState {
  readonly requirements?: JobRequirements;
  readonly deadlineMs: number;
  readonly estimatedOps?: number;
  readonly pricing?: JobPricing;
  readonly shape?: ReplicaShape;
  readonly runs: { ms: number; n: number; ops: number; opsN: number };
  /** Derived from the above; rebuilt when runs change. */
  placement: JobPlacement;
}

interface HostState {
  readonly caps: HostCapabilities | null;
  readonly at: number;
}

export class PlacementFacts {
  private jobs = new Map<number, JobState>();
  private readonly hosts = new Map<number, HostState>();
  /** Jobs that could rule a host out: with requirements, pricing or any estimate of their size. */
  private constrained = 0;
  /** Paid jobs known: only then does a take weigh hosts' asks against each other. */
  private paid = 0;
  /**
   * Hosts that ask a price (or were refused a job for what they declared): a free job
   * rules them out, so their capabilities are read even when no job is constrained.
   */
  private readonly priced = new Set<number>();
  /** The asks hosts declared at registration or in a heartbeat, by host. */
  private readonly declared = new Map<number, Asks>();
  /** Paid jobs' work waits a moment for cheaper hosts waiting for work (price-preference.ts). */
  readonly prices: PricePreference;
  private syncedAt = 0;
  private syncing = false;

  constructor(
    private readonly store: Store,
    streaming: (hostId: number) => boolean = () => false,
  ) {
    this.prices = new PricePreference((hostId) => this.bidder(hostId), streaming);
  }

  /** Reads every running job's facts from the store. */
  async load(now = Date.now()): Promise<void> {
    const facts = await this.store.jobPlacements();
    const jobs = new Map<number, JobState>();
    for (const [jobId, f] of facts) jobs.set(jobId, stateOf(f));
    // Jobs noted while the read ran (just created) are newer than the read.
    for (const [jobId, s] of this.jobs) if (!jobs.has(jobId) && s.runs.n === 0) jobs.set(jobId, s);
    this.jobs = jobs;
    this.constrained = 0;
    this.paid = 0;
    for (const s of jobs.values()) this.count(s, 1);
    this.syncedAt = now;
  }

  /** A job was created (or its facts are known otherwise). */
  noteJob(jobId: number, facts: Omit<JobPlacementFacts, 'runs'>): void {
    const state = stateOf({ ...facts, runs: { ms: 0, n: 0, ops: 0, opsN: 0 } });
    const before = this.jobs.get(jobId);
    if (before) this.count(before, -1);
    this.jobs.set(jobId, state);
    this.count(state, 1);
  }

  /** The jobs whose facts are here: running when last read or noted since. */
  jobIds(): number[] {
    return [...this.jobs.keys()];
  }

  /** Whether the job's facts are here (one created through another coordinator is not, until read). */
  knowsJob(jobId: number): boolean {
    return this.jobs.has(jobId);
  }

  dropJob(jobId: number): void {
    const before = this.jobs.get(jobId);
    if (before) this.count(before, -1);
    this.jobs.delete(jobId);
    if (before?.pricing) this.prices.dropJob(jobId);
  }

  private count(s: JobState, sign: 1 | -1): void {
    if (isConstrained(s)) this.constrained += sign;
    if (s.pricing) this.paid += sign;
  }

  /** Whether some host seen lately asks a price: a free job could then find no host at all. */
  anyPriced(): boolean {
    return this.priced.size > 0;
  }

  /**
   * What a host asks, as it registered or updated: a host asking a price is ruled out of
   * free jobs, so its capabilities are read at its next pull.
   */
  noteAsks(hostId: number, asks: Asks | undefined): void {
    if (asks === undefined) return;
    if (asksNothing(asks)) this.priced.delete(hostId);
    else this.priced.add(hostId);
    this.hosts.delete(hostId);
    this.declared.set(hostId, asks);
  }

  /**
   * A host as a bidder for paid work: its capabilities when read, else the asks it
   * declared (a host waiting on an empty queue is not read, yet may be the cheapest).
   */
  private bidder(hostId: number): Bidder | undefined {
    const caps = this.hosts.get(hostId)?.caps;
    if (caps) return { asks: caps.asks, reputation: caps.reputation, stake: caps.stake, caps };
    const asks = this.declared.get(hostId);
    return asks === undefined ? undefined : { asks, reputation: 0, stake: 0 };
  }

  /** The store refused the host a job for what it declared: read it at its next pull. */
  refusedHost(hostId: number): void {
    this.priced.add(hostId);
    this.hosts.delete(hostId);
  }

  /** Adds run times a report transaction recorded. */
  addRuntimes(runtimes: readonly JobRuntimes[]): void {
    for (const r of runtimes) {
      const s = this.jobs.get(r.jobId);
      if (!s) continue;
      const was = isConstrained(s);
      s.runs.ms += r.ms;
      s.runs.n += r.n;
      s.runs.ops += r.ops;
      s.runs.opsN += r.opsN;
      s.placement = placementOf(s);
      if (!was && isConstrained(s)) this.constrained++;
    }
  }

  /** The host's capabilities changed (it registered again, or ran the benchmark again). */
  forgetHost(hostId: number): void {
    this.hosts.delete(hostId);
  }

  /**
   * Reads the host's capabilities when some job could rule it out and what is known of it
   * is missing or old (the promise of that read); resynchronises the jobs now and then.
   * Undefined when there is nothing to wait for: the usual pull awaits nothing more.
   */
  refresh(hostId: number, now: number): Promise<void> | undefined {
    if (now - this.syncedAt >= JOBS_RESYNC_MS && !this.syncing) {
      this.syncing = true;
      this.load(now)
        .catch(() => {})
        .finally(() => {
          this.syncing = false;
        });
    }
    if (this.constrained === 0 && !this.priced.has(hostId)) return undefined;
    const known = this.hosts.get(hostId);
    if (known !== undefined && now - known.at < HOST_FACTS_MS) return undefined;
    return this.store.hostCapabilities(hostId).then((caps) => {
      this.hosts.set(hostId, { caps, at: now });
      if (caps && !asksNothing(caps.asks)) this.priced.add(hostId);
    });
  }

  /**
   * The test a take applies for this host, or undefined when nothing could rule it out.
   * With paid jobs about, a paid job's work also waits a moment for a better bidder
   * waiting for work (price-preference.ts); `onHeld` hears of each job held back.
   */
  eligibility(hostId: number, now = Date.now(), onHeld?: () => void): JobEligibility | undefined {
    if (this.constrained === 0 && !this.priced.has(hostId)) return undefined;
    const caps = this.hosts.get(hostId)?.caps;
    if (!caps) return undefined;
    const jobs = this.jobs;
    if (this.paid === 0) {
      return (jobId, transferMs) => {
        const job = jobs.get(jobId);
        return job === undefined || placeable(job.placement, caps, transferMs);
      };
    }
    const prices = this.prices;
    return (jobId, transferMs) => {
      const job = jobs.get(jobId);
      if (job === undefined) return true;
      if (!placeable(job.placement, caps, transferMs)) return false;
      if (job.pricing === undefined || !prices.holdsBack(hostId, caps, jobId, job.placement, now)) {
        return true;
      }
      onHeld?.();
      return false;
    };
  }

  /** Forgets hosts not seen for a while, as `pulledSince` forgets pulls. */
  prune(before: number): void {
    for (const [hostId, h] of this.hosts) {
      if (h.at < before) {
        this.hosts.delete(hostId);
        this.declared.delete(hostId);
      }
    }
  }
}

function stateOf(f: JobPlacementFacts): JobState {
  const s: JobState = {
    ...(f.requirements ? { requirements: f.requirements } : {}),
    deadlineMs: f.deadlineMs,
    ...(f.estimatedOps === undefined ? {} : { estimatedOps: f.estimatedOps }),
    ...(f.pricing === undefined ? {} : { pricing: f.pricing }),
    ...(f.shape === undefined ? {} : { shape: f.shape }),
    runs: { ...f.runs },
    placement: { deadlineMs: f.deadlineMs, size: {} },
  };
  s.placement = placementOf(s);
  return s;
}

function placementOf(s: JobState): JobPlacement {
  const { ms, n, ops, opsN } = s.runs;
  return {
    ...(s.requirements ? { requirements: s.requirements } : {}),
    ...(s.pricing === undefined ? {} : { pricing: s.pricing }),
    ...(s.shape === undefined ? {} : { shape: s.shape }),
    deadlineMs: s.deadlineMs,
    size: {
      ...measuredSize(ms, n, ops, opsN),
      ...(s.estimatedOps === undefined ? {} : { estimatedOps: s.estimatedOps }),
    },
  };
}

function isConstrained(s: JobState): boolean {
  return (
    s.requirements !== undefined ||
    s.pricing !== undefined ||
    s.estimatedOps !== undefined ||
    s.runs.n > 0
  );
}
