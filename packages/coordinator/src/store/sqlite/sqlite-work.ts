/**
 * @module
 * The provider-facing store operations on SQLite that give and take back results: assign
 * ready replicas (through sqlite-assignment.ts) and apply a batch of reports; what becomes
 * of work a host holds otherwise (leases, hand-backs, deadlines) is sqlite-held-work.ts.
 * Each runs as one transaction; an assignment is written before it is answered, so a
 * crash can never hand out work the store does not know about. What became of each
 * replica (valid, invalid, errored) is tallied per host in the same transaction.
 */

import { isNotHostFault, NotAssignedError, type ReportStatus } from '@anygrid/protocol';
import type { NetworkRule, Random, ReplicaState, Validation } from '../../policy/index.js';
import type { JobMeta } from '../rows.js';
import type { ChangeSet, HostBuffer, Placement, ReplicaPick, VerifiedReport } from '../store.js';
import { SqliteAssignment } from './sqlite-assignment.js';
import { SqliteBlobRefs } from './sqlite-blob-refs.js';
import { ChangeCollector } from './sqlite-change-collector.js';
import type { SqliteComparisons } from './sqlite-comparisons.js';
import { type SqliteDatabase, transactionRunner } from './sqlite-database.js';
import type { ReplicaRow } from './sqlite-held-work.js';
import type { SqliteHosts } from './sqlite-hosts.js';
import type { SqliteSettlement } from './sqlite-settlement.js';

/**
 * A replica of the reported replica's task (the reported one among them), with the
 * task's state and whether the replica started as its task's only one.
 */
interface SiblingRow extends ReplicaRow {
  state: ReplicaState;
  digest: string | null;
  /** Agreement key under a non-exact comparator (agreement.ts); NULL for exact jobs. */
  agreeKey: string | null;
  validation: Validation | null;
  excluded: number | null;
  sole: number | null;
  task_state: string;
  canonical_replica_id: number | null;
  /** When the replica was sent (its turnaround starts); NULL while unsent. */
  sent_at: number | null;
  /** The account of the replica's host (null while unsent, and on the sole path, which needs none). */
  account: number | null;
}

export class SqliteWork {
  private readonly touchReporter;
  private readonly excludeReplica;
  private readonly siblings;
  private readonly reported;
  private readonly recordReport;
  private readonly canonicalDigest;
  private readonly inTx;
  private readonly assignment;
  /** Output blobs a report names, so the janitor keeps them while the job lives. */
  private readonly blobRefs;

  constructor(
    db: SqliteDatabase,
    private readonly settlement: SqliteSettlement,
    private readonly metaOf: (jobId: number) => JobMeta,
    hosts: SqliteHosts,
    private readonly comparisons: SqliteComparisons,
    networkRule: NetworkRule = 'public',
    random: Random = Math.random,
  ) {
    this.inTx = transactionRunner(db);
    this.assignment = new SqliteAssignment(
      db,
      metaOf,
      hosts,
      settlement.variants,
      networkRule,
      random,
    );
    this.touchReporter = db.prepare(
      'UPDATE hosts SET last_seen = ? WHERE id = ? RETURNING quarantined_at, speed',
    );
    this.excludeReplica = db.prepare('UPDATE replicas SET excluded = 1 WHERE id = ?');
    // One read per report gives the task's state and every replica the decision needs.
    this.siblings = db.prepare(
      `SELECT o.id, o.task_id, o.job_id, o.host_id, o.state, o.digest, o.agree_key AS agreeKey, o.validation, o.excluded, o.sole, o.spot,
              o.sent_at, t.state AS task_state, t.canonical_replica_id, h.account_id AS account
       FROM replicas r JOIN tasks t ON t.id = r.task_id JOIN replicas o ON o.task_id = r.task_id
         LEFT JOIN hosts h ON h.id = o.host_id
       WHERE r.id = ?`,
    );
    // A sole replica still in progress is its task's only one (see migration 5), so the
    // reported replica alone is all its decision needs: cheaper than the join above, and
    // read for a whole report batch at once — one read per batch where each read is a
    // round trip (PostgreSQL).
    this.reported = db.prepare(
      `SELECT r.id, r.task_id, r.job_id, r.host_id, r.state, r.digest, r.agree_key AS agreeKey, r.validation, r.excluded, r.sole, r.spot,
              r.sent_at, t.state AS task_state, t.canonical_replica_id, NULL AS account
       FROM replicas r JOIN tasks t ON t.id = r.task_id
       WHERE r.id IN (SELECT value FROM json_each(?))`,
    );
    this.recordReport = db.prepare(
      `UPDATE replicas SET state = ?, reported_at = ?, digest = ?, exit_code = ?, outputs = ?,
         error = ?, duration_ms = ?, validation = ?, confirmation = ?, accepted_at = ? WHERE id = ?`,
    );
    this.canonicalDigest = db.prepare('SELECT digest FROM replicas WHERE id = ?').pluck();
    this.blobRefs = new SqliteBlobRefs(db);
  }

  /** Assigns ready replicas to a host (sqlite-assignment.ts). */
  assign(
    hostId: number,
    picks: readonly ReplicaPick[],
    now: number,
    placement?: Placement,
    buffer?: HostBuffer,
  ) {
    return this.assignment.assign(hostId, picks, now, placement, buffer);
  }

  applyReports(
    hostId: number,
    reports: readonly VerifiedReport[],
    now: number,
  ): { statuses: ReportStatus[]; changes: ChangeSet } {
    return this.inTx(() => {
      const changes = new ChangeCollector();
      // A quarantined host's results no longer count, even those of work it held when caught.
      const reporter = this.touchReporter.get(now, hostId) as
        | { quarantined_at: number | null; speed: number | null }
        | undefined;
      if (reporter !== undefined && reporter.quarantined_at !== null) {
        changes.quarantined.add(hostId);
      }
      // The reporter's speed turns its run times into a task's size (deadline-fit.ts).
      changes.reporterSpeed = reporter?.speed ?? null;
      const statuses: ReportStatus[] = [];
      const foreign: number[] = [];
      const batch = this.readReported(reports);
      for (const report of reports) {
        const siblings = this.replicasOf(report.replicaId, batch);
        const row = siblings.find((r) => r.id === report.replicaId);
        if (row?.host_id !== hostId) foreign.push(report.replicaId);
        // Once one report is refused the batch is: only list the others refused.
        if (foreign.length > 0 || row === undefined) continue;
        const status = this.applyOne(row, siblings, report, now, changes);
        if (status === 'accepted') changes.jobs.add(row.job_id);
        statuses.push(status);
      }
      // Throwing rolls back the reports applied before the refused one.
      if (foreign.length > 0) throw new NotAssignedError(foreign);
      this.settlement.flushCounters(now, changes);
      return { statuses, changes: changes.toChangeSet() };
    });
  }

  /**
   * The rows of a batch's reported replicas, read at once, by id; each is taken once
   * (a replica reported twice in one batch is read again the second time: the first
   * report changed it).
   */
  private readReported(reports: readonly VerifiedReport[]): Map<number, SiblingRow> {
    // A batch is mostly of one job: when neither its first nor its last replica is a sole
    // one (a job with redundancy), the others will need their siblings read anyway. Both
    // ends are probed because an `adaptive` host's batch starts with the checks it was
    // sent first (not sole) and goes on with its own tasks' first replicas (sole).
    const first = reports[0];
    const last = reports[reports.length - 1];
    if (first === undefined || last === undefined) return new Map();
    const ends = first === last ? [first.replicaId] : [first.replicaId, last.replicaId];
    const probes = this.reported.all(JSON.stringify(ends)) as SiblingRow[];
    if (!probes.some((p) => p.sole === 1) || reports.length <= ends.length) {
      return new Map(probes.map((p) => [p.id, p]));
    }
    const ids = reports.map((r) => r.replicaId);
    const rows = this.reported.all(JSON.stringify(ids)) as SiblingRow[];
    return new Map(rows.map((r) => [r.id, r]));
  }

  /**
   * The reported replica and every replica of its task (itself among them), with the
   * task's state: a sole replica still in progress is its task's only one.
   */
  private replicasOf(replicaId: number, batch: Map<number, SiblingRow>): SiblingRow[] {
    const row = batch.get(replicaId);
    if (row !== undefined) {
      batch.delete(replicaId);
      if (row.sole === 1 && row.state === 'in_progress') return [row];
    }
    return this.siblings.all(replicaId) as SiblingRow[];
  }

  /**
   * Records one report and re-decides its task from the replicas already read with it,
   * so the replica is written once, with its validation when the decision settles it.
   */
  private applyOne(
    row: SiblingRow,
    siblings: SiblingRow[],
    report: VerifiedReport,
    now: number,
    changes: ChangeCollector,
  ): ReportStatus {
    if (row.state === 'reported' || row.state === 'errored' || row.state === 'refused') {
      return 'duplicate';
    }
    const active = row.task_state === 'active';
    // A late answer (the replica timed out, or was handed back or released while its host
    // was away) still helps a task that has not settled; otherwise it is only noted. Nor
    // when a reissued replica continues its checkpoint chain: that one answers for it.
    if (
      isLate(row) &&
      (!(active && countsLate(row, siblings)) || this.settlement.checkpoints.isContinued(row.id))
    ) {
      return 'late';
    }
    const state = reportedState(report);
    if (row.state === 'in_progress') changes.tally(row.host_id, 'left');
    // Measured on the coordinator's clock; in time while the lease still held.
    if (row.sent_at !== null) {
      changes.timed(row.host_id, now - Number(row.sent_at), row.state === 'in_progress');
    }
    // A provider's run time is its word: no run lasts past the job's wall-time limit.
    if (state === 'reported') {
      const meta = this.metaOf(row.job_id);
      const ms = Math.min(report.durationMs, meta.policy.limits.wallTimeMs);
      changes.runtime(row.job_id, ms, changes.reporterSpeed);
      // Jobs with native variants also measure each variant (policy/variant-choice.ts).
      if (meta.variants !== undefined) {
        const key = this.settlement.variants.ranBy(row.id);
        if (key !== undefined) changes.variantRuntime(row.job_id, key, ms);
      }
    }
    if (state === 'refused') {
      this.settlement.event(
        now,
        'replica_refused',
        {
          job: row.job_id,
          task: row.task_id,
          replica: row.id,
          host: row.host_id ?? undefined,
        },
        JSON.stringify({ code: report.error?.code }),
      );
    }
    const digest = report.success ? report.digest : null;
    // A refused module is not the host's fault: its standing stays as it was.
    if (state === 'errored' || state === 'refused')
      this.settlement.failing(row.task_id, row.job_id);
    if (state === 'errored') changes.tally(row.host_id, 'errored');
    // A handed-back replica gave its share of the day's quota back already.
    else if (state === 'reported' && row.state !== 'abandoned')
      changes.tally(row.host_id, 'answered');
    let validation: string | null = null;
    const excluded =
      row.host_id !== null && changes.quarantined.has(row.host_id) ? 1 : row.excluded;
    if (excluded === 1) this.excludeReplica.run(row.id);
    const exact = this.metaOf(row.job_id).policy.compare.kind === 'exact';
    if (active && !exact) {
      validation = this.comparisons.decideReported(row, siblings, state, digest, now, changes);
    } else if (active) {
      const facts = siblings.map(
        (r): SiblingRow => (r === row ? { ...r, state, digest, excluded } : r),
      );
      validation = this.settlement.decideLoaded(
        row.task_id,
        row.job_id,
        facts,
        row.id,
        now,
        changes,
      );
    } else if (row.canonical_replica_id !== null && report.success) {
      // Under another comparator a late answer unlike the canonical one is not compared.
      const same = this.canonicalDigest.get(row.canonical_replica_id) === digest;
      const judged = same ? 'valid' : exact ? 'invalid' : null;
      validation = judged;
      if (judged !== null) changes.tally(row.host_id, judged);
      // Judged after its task settled: a paid job pays (or not) for it as for the others.
      this.settlement.payments.touch(row.task_id, row.job_id, changes);
      // A late valid answer earns the task's credit (at most its own claim).
      if (judged === 'valid') changes.creditTasks.add(row.task_id);
      // A spot check's answer is known: it judges its host like any comparison.
      if (judged !== null && row.spot === 1 && row.host_id !== null) {
        this.settlement.judgeSpotCheck(
          row.id,
          row.task_id,
          row.job_id,
          row.host_id,
          judged,
          now,
          changes,
        );
      }
    }
    if (validation === 'valid') {
      changes.creditRuns.set(row.id, { durationMs: report.durationMs, sentAt: row.sent_at });
    }
    this.recordReport.run(
      state,
      now,
      digest,
      report.exitCode,
      JSON.stringify({ stdout: report.stdout, stderr: report.stderr, files: report.files }),
      report.error ? JSON.stringify(report.error) : null,
      report.durationMs,
      validation,
      changes.writerConfirmation,
      changes.writerConfirmation === null ? null : now,
      row.id,
    );
    this.blobRefs.addOutputs(row.job_id, report);
    changes.writerConfirmation = null;
    return 'accepted';
  }
}

/**
 * The state a report leaves its replica in: a refusal that is not the host's fault (the
 * module's bytes or signature did not check out) is handed back as `refused`, not
 * counted as an error.
 */
function reportedState(report: VerifiedReport): ReplicaState {
  if (report.success) return 'reported';
  return isNotHostFault(report.error?.code) ? 'refused' : 'errored';
}

/** Whether the replica was given up on before this report: timed out, handed back or released. */
function isLate(row: ReplicaRow): boolean {
  return row.state === 'abandoned' || row.state === 'timed_out';
}

/**
 * Whether a late report may count toward its (still active) task. A timed-out replica's
 * host never gets its task again, so its answer is its only vote. A handed-back one's
 * host may have taken the task again (placement lets it): then that other replica is
 * its vote, and this answer is only noted, so one host never votes twice.
 */
function countsLate(row: SiblingRow, siblings: readonly SiblingRow[]): boolean {
  if (row.state !== 'abandoned') return true;
  return !siblings.some(
    (o) => o.id !== row.id && o.host_id === row.host_id && o.state !== 'abandoned',
  );
}
