/**
 * @module
 * What one store transaction changed, gathered as it goes: the jobs and ready replicas
 * to announce after commit, and the job counters, host tallies, validation records,
 * result cursor and re-checks to write once before it, since a batch often settles
 * hundreds of tasks of one job.
 */

import type { Confirmation, ReadyReplica } from '../../policy/index.js';
import { emptyTally, type HostTally, type TallyKind } from '../host-rows.js';
import type { ChangeSet, JobRuntimes } from '../store.js';
import type { SettledNode } from './sqlite-graph.js';
import type { UnconfirmedNotes } from './sqlite-unconfirmed.js';
import type { RecordCache } from './sqlite-validation-records.js';

export type SettledState = 'valid' | 'failed' | 'no_consensus' | 'cancelled';

const ZERO: Record<SettledState, number> = { valid: 0, failed: 0, no_consensus: 0, cancelled: 0 };

/** A task's valid replicas and their hosts, as its settlement decided them. */
export interface CreditQuorum {
  readonly jobId: number;
  readonly members: readonly { readonly id: number; readonly hostId: number | null }[];
}

/** What a replica reported of its run, and when it was sent. */
export interface CreditRun {
  readonly durationMs: number;
  readonly sentAt: number | null;
}

/** Collects what a transaction changed: for notifications after commit, and the job counters to write before it. */
export class ChangeCollector {
  readonly jobs = new Set<number>();
  readonly ready: ReadyReplica[] = [];
  readonly settledPerJob = new Map<number, Record<SettledState, number>>();
  /** What became of each host's replicas in this transaction, written once per host. */
  readonly hostTallies = new Map<number, HostTally>();
  /** The same over all hosts, for metrics; kept after the tallies are written. */
  private outcomes: HostTally | undefined;
  /**
   * The last result cursor this transaction gave out; undefined until a task settles.
   * Read from the store at the first settlement and written back before commit: one
   * read and one write per batch, and correct whoever else writes to the file, since
   * SQLite runs write transactions one at a time.
   */
  lastCursor: number | undefined;
  /** Validation records this transaction read or changed (sqlite-validation-records.ts). */
  readonly records: RecordCache = new Map();
  /** Settled tasks to verify again, each with the caught host whose result no longer counts. */
  readonly rechecks: Array<{ taskId: number; hostId: number }> = [];
  /**
   * How the result of the replica being reported was confirmed, when its settlement
   * accepted it: written with the report itself rather than by a second update.
   */
  writerConfirmation: Confirmation | null = null;
  /** Results accepted without a trusted confirmation, by host and job (sqlite-unconfirmed.ts). */
  readonly unconfirmed: UnconfirmedNotes = new Map();
  /** The replica being reported differs from its task's known answer. */
  writerInvalid = false;
  /** Running replicas made moot, by host (`ChangeSet.stop`). */
  readonly stop = new Map<number, number[]>();
  /** Hosts known quarantined in this transaction: their results do not count. */
  readonly quarantined = new Set<number>();
  /** Tasks of graph jobs settled in this transaction, whose children `flushCounters` visits. */
  readonly graph: SettledNode[] = [];
  /**
   * Jobs whose graph flag this transaction read from their row (sqlite-settlement.ts):
   * another coordinator on the same store may have turned it on since the job's meta
   * was cached here.
   */
  readonly graphRead = new Map<number, boolean>();
  /**
   * Run times reported in this transaction per job (sum, count; and, from hosts of known
   * speed, operations and their count): one write per job.
   */
  readonly runtimes = new Map<number, JobRuntimes>();
  /** The runtimes written by `flushCounters`, for the scheduler's placement (`ChangeSet.runtimes`). */
  measured: JobRuntimes[] | undefined;
  /** Tasks of paid jobs whose payments to bring in line before commit, with their jobs (sqlite-job-payments.ts). */
  readonly moneyTasks = new Map<number, number>();
  /** Paid jobs that may have ended in this transaction: their unspent escrow goes back. */
  readonly moneyJobs = new Set<number>();
  /** Hosts caught in an invalid result in this transaction: their stake is slashed. */
  readonly caught: Array<{ hostId: number; replicaId: number; jobId: number | null }> = [];
  /** Benchmark speed of the host whose reports this transaction records; null: unknown. */
  reporterSpeed: number | null = null;
  /**
   * Tasks settled valid, or given a late valid answer, in this transaction, whose valid
   * replicas are read from the store to be credited before commit (sqlite-credit.ts).
   */
  readonly creditTasks = new Set<number>();
  /** Tasks settled valid for the first time in this transaction, with their valid replicas. */
  readonly creditQuorums = new Map<number, CreditQuorum>();
  /**
   * Replicas reported and judged valid in this transaction, with their run: a quorum all
   * of whose members are here is credited without reading them back.
   */
  readonly creditRuns = new Map<number, CreditRun>();
  /** Replicas once valid that a re-check found invalid: their credit is taken back before commit. */
  readonly revokeCredit = new Set<number>();

  /** Run times reported in this transaction per job with variants, per variant key. */
  readonly variantRuntimes = new Map<number, Map<string, { ms: number; n: number }>>();

  /** Adds a reported run time to its variant's measured mean (jobs with native variants only). */
  variantRuntime(jobId: number, key: string, durationMs: number): void {
    let byKey = this.variantRuntimes.get(jobId);
    if (!byKey) {
      byKey = new Map();
      this.variantRuntimes.set(jobId, byKey);
    }
    const r = byKey.get(key);
    if (r) {
      r.ms += durationMs;
      r.n++;
    } else byKey.set(key, { ms: durationMs, n: 1 });
  }

  /** Adds a reported run time to its job's runtime estimate, on a host of `speed` ops/s (null: unknown). */
  runtime(jobId: number, durationMs: number, speed: number | null = null): void {
    let r = this.runtimes.get(jobId);
    if (!r) {
      r = { jobId, ms: 0, n: 0, ops: 0, opsN: 0 };
      this.runtimes.set(jobId, r);
    }
    r.ms += durationMs;
    r.n++;
    if (speed !== null) {
      r.ops += (durationMs / 1000) * speed;
      r.opsN++;
    }
  }

  /**
   * Notes how a host's replica of the job was accepted: one that no trusted host confirmed
   * is listed for the re-check a catch of its host would start.
   */
  accepted(hostId: number | null, jobId: number, replicaId: number, how: Confirmation): void {
    if (hostId === null || how === 'trusted') return;
    let jobs = this.unconfirmed.get(hostId);
    if (!jobs) {
      jobs = new Map();
      this.unconfirmed.set(hostId, jobs);
    }
    const ids = jobs.get(jobId);
    if (ids) ids.push(replicaId);
    else jobs.set(jobId, [replicaId]);
  }

  /** Counts a task settling in `state`; `by` -1 when a re-check reopens a settled task. */
  countSettled(jobId: number, state: SettledState, by = 1): void {
    let counts = this.settledPerJob.get(jobId);
    if (!counts) {
      counts = { ...ZERO };
      this.settledPerJob.set(jobId, counts);
    }
    counts[state] += by;
    this.jobs.add(jobId);
  }

  /** Counts one replica of the host (none when it was never sent). */
  tally(hostId: number | null, kind: TallyKind): void {
    if (hostId === null) return;
    this.tallyOf(hostId)[kind]++;
    this.outcomes ??= emptyTally();
    this.outcomes[kind]++;
  }

  /**
   * Notes a report of the host's replica sent `turnaroundMs` ago: its turnaround, and
   * whether it came before the deadline (the replica was still in progress).
   */
  timed(hostId: number | null, turnaroundMs: number, onTime: boolean): void {
    if (hostId === null) return;
    const t = this.tallyOf(hostId);
    t.turnarounds++;
    t.turnaroundMs += Math.max(0, turnaroundMs);
    if (onTime) t.onTime++;
  }

  /**
   * Moves one replica of the host from one count to another: a re-check changed its
   * verdict. Metrics keep the first outcome (a counter never goes back), and the daily
   * quota is left as it was.
   */
  recount(hostId: number | null, from: TallyKind, to: TallyKind): void {
    if (hostId === null) return;
    const t = this.tallyOf(hostId);
    t[from]--;
    t[to]++;
  }

  /** The host's tally in this transaction, made at its first count. */
  private tallyOf(hostId: number): HostTally {
    let t = this.hostTallies.get(hostId);
    if (!t) {
      t = emptyTally();
      this.hostTallies.set(hostId, t);
    }
    return t;
  }

  /** A replica still running on the host is no longer wanted. */
  stopOn(hostId: number, replicaId: number): void {
    const ids = this.stop.get(hostId);
    if (ids) ids.push(replicaId);
    else this.stop.set(hostId, [replicaId]);
  }

  toChangeSet(): ChangeSet {
    const base: ChangeSet = { jobs: [...this.jobs], ready: this.ready };
    return {
      ...base,
      ...(this.outcomes ? { outcomes: this.outcomes } : {}),
      ...(this.measured ? { runtimes: this.measured } : {}),
      ...(this.stop.size > 0
        ? { stop: [...this.stop].map(([hostId, replicaIds]) => ({ hostId, replicaIds })) }
        : {}),
    };
  }
}
