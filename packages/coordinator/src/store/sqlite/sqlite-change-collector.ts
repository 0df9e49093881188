/**
 * @module
 * What one store transaction changed, gathered as it goes: the jobs and ready replicas
 * to announce after commit, and the job counters, host tallies, validation records,
 * result cursor and re-checks to write once before it, since a batch often settles
 * hundreds of tasks of one job.
 */

import type { Confirmation, ReadyReplica } from '../../policy/index.js';
import { emptyTally, type HostTally, type TallyKind } from '../host-rows.js';
import type { ChangeSet } from '../store.js';
import type { SettledNode } from './sqlite-graph.js';
import type { RecordCache } from './sqlite-validation-records.js';

export type SettledState = 'valid' | 'failed' | 'no_consensus' | 'cancelled';

const ZERO: Record<SettledState, number> = { valid: 0, failed: 0, no_consensus: 0, cancelled: 0 };

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
  /** The replica being reported differs from its task's known answer. */
  writerInvalid = false;
  /** Hosts known quarantined in this transaction: their results do not count. */
  readonly quarantined = new Set<number>();
  /** Tasks of graph jobs settled in this transaction, whose children `flushCounters` visits. */
  readonly graph: SettledNode[] = [];
  /** Run times reported in this transaction per job (sum, count): one write per job. */
  readonly runtimes = new Map<number, { ms: number; n: number }>();

  /** Adds a reported run time to its job's runtime estimate. */
  runtime(jobId: number, durationMs: number): void {
    const r = this.runtimes.get(jobId);
    if (r) {
      r.ms += durationMs;
      r.n++;
    } else this.runtimes.set(jobId, { ms: durationMs, n: 1 });
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

  toChangeSet(): ChangeSet {
    const base = { jobs: [...this.jobs], ready: this.ready };
    return this.outcomes ? { ...base, outcomes: this.outcomes } : base;
  }
}
