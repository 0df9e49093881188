/**
 * @module
 * The transitioner and validator inside the store's transactions (SQLite or
 * PostgreSQL): for each touched task it loads the replicas, asks the pure `decideTask`
 * policy what to do, and applies the answer (new replicas through
 * sqlite-replica-creation.ts, canonical result, failure) with the event that publishes
 * the result — all within the caller's transaction. Job counters are added up per
 * transaction and written once per job, since a batch often settles hundreds of tasks
 * of one job; hosts' replica counts likewise, once per host.
 */

import type { Random, ReplicaFacts, TaskDecision, Validation } from '../../policy/index.js';
import {
  adaptiveParams,
  adaptiveQuorum,
  agreementFacts,
  decideTask,
  knownDigest,
  spotCheckQuorum,
  tracksRecords,
} from '../../policy/index.js';
import type { TallyKind } from '../host-rows.js';
import type { JobMeta } from '../rows.js';
import type { ChangeCollector, SettledState } from './sqlite-change-collector.js';
import { SqliteCheckpoints } from './sqlite-checkpoints.js';
import { SqliteCredit } from './sqlite-credit.js';
import { type SqliteDatabase, statementCache } from './sqlite-database.js';
import { type GraphHooks, SqliteGraph } from './sqlite-graph.js';
import type { SqliteHosts } from './sqlite-hosts.js';
import { type MoneyRules, SqliteJobPayments } from './sqlite-job-payments.js';

/** Without rules given: a 5 % platform fee, no slashing. */
const DEFAULT_MONEY_RULES: MoneyRules = { feeBps: 500, slashBps: 0 };

import { SqliteJudging } from './sqlite-judging.js';
import { SqliteReplicaCreation } from './sqlite-replica-creation.js';
import { SqliteVariants } from './sqlite-variants.js';

/** A replica as settlement reads it. */
export interface FactsRow extends ReplicaFacts {
  readonly host_id: number | null;
  /** Agreement key under a non-exact comparator (agreement.ts); NULL for exact jobs. */
  readonly agreeKey: string | null;
  /** Its validation from an earlier settlement of its task (a re-check), else null. */
  readonly validation: Validation | null;
  /** 1 when its host was caught and the replica no longer counts (a re-check). */
  readonly excluded: number | null;
}

/** How a settled task's replica counts for its host: agreeing with others, or accepted without comparison. */
function validKind(validIds: readonly number[]): TallyKind {
  return validIds.length > 1 ? 'valid' : 'alone';
}

export class SqliteSettlement {
  private readonly replicasOfTask;
  private readonly taskRow;
  private readonly settleTask;
  private readonly markValidation;
  private readonly dropUnsent;
  private readonly insertEvent;
  private readonly addCounts;
  private readonly finishJob;
  private readonly saveCursor;
  private readonly loadCursor;
  private readonly priorDigest;
  private readonly taskIndex;
  private readonly resettleTask;
  private readonly judging;
  /** Checkpoint chains, handed on to reissued replicas here (sqlite-checkpoints.ts). */
  readonly checkpoints;
  /** New replicas: a job's first ones, a child's, reissues (sqlite-replica-creation.ts). */
  readonly replicas: SqliteReplicaCreation;
  /** Dependencies between tasks: children released or failed as their parents settle. */
  readonly graph: SqliteGraph;
  /** App variants: a job's builds, the one each replica ran, their run times (sqlite-variants.ts). */
  readonly variants: SqliteVariants;
  /** Volunteer credit for validated replicas, granted before commit (sqlite-credit.ts). */
  readonly credit: SqliteCredit;
  private readonly addRuntime;
  private readonly watchFailing;
  /** Payments, refunds and slashes, settled before commit (sqlite-job-payments.ts). */
  readonly payments: SqliteJobPayments;

  private readonly sql;

  constructor(
    db: SqliteDatabase,
    private readonly metaOf: (jobId: number) => JobMeta,
    private readonly hosts: SqliteHosts,
    private readonly random: Random = Math.random,
    money: MoneyRules = DEFAULT_MONEY_RULES,
  ) {
    this.sql = statementCache(db);
    this.payments = new SqliteJobPayments(db, metaOf, money);
    this.checkpoints = new SqliteCheckpoints(db);
    this.replicasOfTask = db.prepare(
      `SELECT r.id, r.state, r.digest, r.agree_key AS agreeKey, r.host_id, r.validation, r.excluded, h.account_id AS account
       FROM replicas r LEFT JOIN hosts h ON h.id = r.host_id WHERE r.task_id = ?`,
    );
    this.priorDigest = db.prepare('SELECT prior_digest FROM tasks WHERE id = ?').pluck();
    this.taskIndex = db.prepare('SELECT idx FROM tasks WHERE id = ?').pluck();
    // A re-checked task whose result stands: settled again in its old place in the stream.
    this.resettleTask = db.prepare(
      'UPDATE tasks SET state = ?, canonical_replica_id = ?, prior_digest = NULL WHERE id = ?',
    );
    this.judging = new SqliteJudging(db, metaOf, (taskId, jobId, now, changes) =>
      this.decide(taskId, jobId, now, changes),
    );
    this.graph = new SqliteGraph(db);
    this.variants = new SqliteVariants(db);
    this.credit = new SqliteCredit(db, metaOf);
    this.taskRow = db.prepare('SELECT job_id, state FROM tasks WHERE id = ?');
    this.replicas = new SqliteReplicaCreation(db, metaOf, this.checkpoints);
    this.settleTask = db.prepare(
      'UPDATE tasks SET state = ?, canonical_replica_id = ?, settled_seq = ?, corrected = ? WHERE id = ?',
    );
    this.markValidation = db.prepare('UPDATE replicas SET validation = ? WHERE id = ?');
    this.dropUnsent = db.prepare(
      `UPDATE replicas SET state = 'abandoned' WHERE task_id = ? AND state = 'unsent'`,
    );
    this.insertEvent = db.prepare(
      'INSERT INTO events (at, kind, job_id, task_id, replica_id, host_id, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.addCounts = db.prepare(
      `UPDATE jobs SET tasks_valid = tasks_valid + ?, tasks_failed = tasks_failed + ?,
         tasks_no_consensus = tasks_no_consensus + ?, tasks_cancelled = tasks_cancelled + ? WHERE id = ?`,
    );
    this.finishJob = db.prepare(
      `UPDATE jobs SET state = 'completed', finished_at = ?
       WHERE id = ? AND state = 'running'
         AND tasks_valid + tasks_failed + tasks_no_consensus + tasks_cancelled = tasks_total`,
    );
    this.watchFailing = db.prepare(
      'INSERT INTO failing_tasks (task_id, job_id) VALUES (?, ?) ON CONFLICT DO NOTHING',
    );
    this.addRuntime = db.prepare(
      `UPDATE jobs SET run_ms = run_ms + ?, run_n = run_n + ?, run_ops = run_ops + ?,
         run_ops_n = run_ops_n + ? WHERE id = ?`,
    );
    this.saveCursor = db.prepare(`UPDATE counters SET value = ? WHERE name = 'result_cursor'`);
    this.loadCursor = db.prepare(`SELECT value FROM counters WHERE name = 'result_cursor'`).pluck();
  }

  /** Appends an audit event. */
  event(
    now: number,
    kind: string,
    ids: { job?: number; task?: number; replica?: number; host?: number },
    data?: string,
  ): void {
    this.insertEvent.run(
      now,
      kind,
      ids.job ?? null,
      ids.task ?? null,
      ids.replica ?? null,
      ids.host ?? null,
      data ?? null,
    );
  }

  /** Re-decides every given task that is still active. */
  reconcile(taskIds: Iterable<number>, now: number, changes: ChangeCollector): void {
    for (const taskId of taskIds) {
      const task = this.taskRow.get(taskId) as { job_id: number; state: string } | undefined;
      if (task?.state === 'active') this.decide(taskId, task.job_id, now, changes);
    }
  }

  /**
   * Decides an active task from replicas the caller has read in this transaction, with
   * its own pending change to `writerId` already applied in memory. Applies the
   * decision except to `writerId`'s row, which the caller writes next: returned is that
   * replica's validation under the decision (null while the task stays open).
   */
  decideLoaded(
    taskId: number,
    jobId: number,
    replicas: readonly FactsRow[],
    writerId: number,
    now: number,
    changes: ChangeCollector,
  ): 'valid' | 'invalid' | null {
    const decision = this.apply(taskId, jobId, replicas, now, changes, writerId);
    if (changes.writerInvalid) {
      changes.writerInvalid = false;
      return 'invalid';
    }
    if (decision.kind !== 'valid') return null;
    if (decision.validIds.includes(writerId)) return 'valid';
    return decision.invalidIds.includes(writerId) ? 'invalid' : null;
  }

  private decide(taskId: number, jobId: number, now: number, changes: ChangeCollector): void {
    const { policy } = this.metaOf(jobId);
    // Under a comparator other than exact, replicas group by agreement key (agreement.ts).
    const rows = this.replicasOfTask.all(taskId) as FactsRow[];
    const replicas = policy.compare.kind === 'exact' ? rows : agreementFacts(rows);
    this.apply(taskId, jobId, replicas, now, changes);
  }

  /**
   * Whether some task of the job depends on others. The cached meta's `true` is final;
   * its `false` is read again from the row once per transaction and job, since a part
   * with dependencies may have arrived through another coordinator sharing the store,
   * and a parent settled without looking for children would leave them waiting forever.
   */
  private isGraph(jobId: number, changes: ChangeCollector): boolean {
    if (this.metaOf(jobId).graph) return true;
    let graph = changes.graphRead.get(jobId);
    if (graph === undefined) {
      graph = this.sql('SELECT graph FROM jobs WHERE id = ?').pluck().get(jobId) === 1;
      changes.graphRead.set(jobId, graph);
    }
    return graph;
  }

  /**
   * Settles an active task in a final state, publishing it to the result stream. A task
   * reopened by a re-check (`priorDigest` set) keeps its place in the stream when its
   * result stands, and otherwise takes a new one, marked corrected.
   */
  settle(
    taskId: number,
    jobId: number,
    state: SettledState,
    canonicalId: number | null,
    changes: ChangeCollector,
    hasUnsent = true,
    reopened?: { readonly priorDigest: string | null; readonly digest: string | null },
  ): void {
    if (hasUnsent) this.dropUnsent.run(taskId);
    changes.countSettled(jobId, state);
    if (state === 'valid' && !changes.creditQuorums.has(taskId)) changes.creditTasks.add(taskId);
    // A re-checked task settling again has released or failed its children already.
    if (reopened === undefined && this.isGraph(jobId, changes)) {
      changes.graph.push({ taskId, jobId, state });
    }
    if (reopened && state === 'valid' && reopened.digest === reopened.priorDigest) {
      this.resettleTask.run(state, canonicalId, taskId);
      return;
    }
    changes.lastCursor = (changes.lastCursor ?? (this.loadCursor.get() as number)) + 1;
    this.settleTask.run(state, canonicalId, changes.lastCursor, reopened ? 1 : null, taskId);
    if (reopened) this.sql('UPDATE tasks SET prior_digest = NULL WHERE id = ?').run(taskId);
  }

  /**
   * Notes that a replica of the task errored, timed out or was refused: the stranded-task
   * sweep (sqlite-stranded.ts) looks at it until it settles.
   */
  failing(taskId: number, jobId: number): void {
    this.watchFailing.run(taskId, jobId);
  }

  /** Records what a spot check's answer says of its host (sqlite-judging.ts). */
  judgeSpotCheck(
    replicaId: number,
    taskId: number,
    jobId: number,
    hostId: number,
    validation: 'valid' | 'invalid',
    now: number,
    changes: ChangeCollector,
  ): void {
    this.judging.spotChecked(
      replicaId,
      taskId,
      this.metaOf(jobId),
      hostId,
      validation,
      now,
      changes,
    );
  }

  /** How the graph settles a child or creates its replicas within this transaction. */
  graphHooks(now: number, changes: ChangeCollector): GraphHooks {
    return {
      fail: (taskId, jobId) => this.settle(taskId, jobId, 'failed', null, changes),
      createReplicas: (taskId, jobId) => this.replicas.createForChild(taskId, jobId, now, changes),
    };
  }

  /** Writes the job counters gathered in this transaction and finishes completed jobs; call once before commit. */
  flushCounters(now: number, changes: ChangeCollector): void {
    this.judging.drainRechecks(now, changes);
    if (changes.graph.length > 0) this.graph.drain(changes.graph, this.graphHooks(now, changes));
    this.judging.flushRecords(changes, now);
    for (const [jobId, c] of changes.settledPerJob) {
      this.addCounts.run(c.valid, c.failed, c.no_consensus, c.cancelled, jobId);
      this.finishJob.run(now, jobId);
    }
    // After the jobs' states: a job that ended here gets its unspent escrow back.
    this.payments.flush(now, changes, changes.settledPerJob.keys());
    changes.settledPerJob.clear();
    if (changes.runtimes.size > 0) {
      for (const [jobId, r] of changes.runtimes) {
        this.addRuntime.run(r.ms, r.n, r.ops, r.opsN, jobId);
      }
      changes.measured = [...(changes.measured ?? []), ...changes.runtimes.values()];
    }
    changes.runtimes.clear();
    if (changes.variantRuntimes.size > 0) {
      this.variants.addRuns(changes.variantRuntimes);
      changes.variantRuntimes.clear();
    }
    if (changes.hostTallies.size > 0) this.hosts.addTallies(changes.hostTallies);
    changes.hostTallies.clear();
    if (changes.lastCursor !== undefined) this.saveCursor.run(changes.lastCursor);
    changes.lastCursor = undefined;
    // Last: the validations of this transaction are all written by now, and the job's
    // run times too (a claim is bounded by the job's measured size).
    if (changes.revokeCredit.size > 0) this.credit.revoke(changes.revokeCredit, now);
    changes.revokeCredit.clear();
    if (changes.creditTasks.size > 0 || changes.creditQuorums.size > 0) {
      this.credit.grant(changes, now);
    }
    changes.creditTasks.clear();
    changes.creditQuorums.clear();
    changes.creditRuns.clear();
  }

  /** Decides a task under its job's validation mode and applies the decision. */
  private apply(
    taskId: number,
    jobId: number,
    replicas: readonly FactsRow[],
    now: number,
    changes: ChangeCollector,
    /** A replica whose row the caller writes itself, validation included. */
    writerId?: number,
  ): TaskDecision {
    const meta = this.metaOf(jobId);
    const { policy } = meta;
    if (policy.pricing !== undefined) changes.moneyTasks.set(taskId, jobId);
    let facts: readonly FactsRow[] = replicas;
    let reopened: { priorDigest: string | null } | undefined;
    // Only a re-check excludes replicas, so only then is the task row read again.
    if (replicas.some((r) => r.excluded === 1)) {
      facts = replicas.map((r) => (r.excluded === 1 ? { ...r, state: 'abandoned' } : r));
      const prior = this.priorDigest.get(taskId) as string | null;
      if (prior !== null) reopened = { priorDigest: prior };
    }
    let quorum = policy.quorum;
    let knownAnswer = false;
    const mode = policy.validation.mode;
    if (mode === 'spot-check') {
      const known = knownDigest(policy, this.taskIndex.get(taskId) as number);
      if (known === undefined) {
        quorum = spotCheckQuorum(
          facts,
          reopened !== undefined,
          policy.validation.rate,
          this.random,
        );
      } else {
        // A known answer decides alone once a result matches it: those that differ are
        // caught then, and until then the task runs again elsewhere.
        const checked = this.judging.checkKnown(
          taskId,
          jobId,
          meta,
          facts,
          known,
          now,
          changes,
          writerId,
        );
        if (checked.disputed) {
          // Hosts of two accounts agree against the requester's answer: say so, judge nobody.
          const hasUnsent = replicas.some((r) => r.state === 'unsent');
          this.settle(taskId, jobId, 'no_consensus', null, changes, hasUnsent);
          return { kind: 'no_consensus' };
        }
        facts = checked.facts;
        quorum = 1;
        knownAnswer = true;
      }
    } else if (mode === 'adaptive') {
      // A task has a replica or two: a scan, not a map built per settlement.
      const hostOf = (id: number) => facts.find((r) => r.id === id)?.host_id ?? 0;
      quorum = adaptiveQuorum(
        facts,
        reopened !== undefined,
        (id) => this.judging.record(hostOf(id), meta.moduleHash, now, changes),
        adaptiveParams(policy),
        this.random,
      );
    } else if (reopened) quorum = Math.max(quorum, 2);
    const decision = decideTask(quorum === policy.quorum ? policy : { ...policy, quorum }, facts);

    if (decision.kind === 'continue') {
      if (decision.create === 0) return decision;
      // A caught host's excluded replica still keeps the task from it.
      const excludedHosts = [
        ...new Set(
          replicas.flatMap((r) =>
            r.host_id === null || (r.state === 'abandoned' && r.excluded !== 1) ? [] : [r.host_id],
          ),
        ),
      ];
      // Only a replica that died can have left a chain to continue: the look is skipped
      // for the second opinions and disputes that make up nearly all reissues.
      const died = replicas.some((r) => r.state === 'timed_out' || r.state === 'abandoned');
      this.replicas.createReissues(
        taskId,
        jobId,
        decision.create,
        now,
        changes,
        excludedHosts,
        died,
      );
      return decision;
    }
    const hasUnsent = replicas.some((r) => r.state === 'unsent');
    if (decision.kind === 'valid') {
      // Each host's count moves once per replica: a re-check judges again replicas that
      // an earlier settlement already counted, and leaves their counts as they were.
      const hostOf = (id: number) => {
        const r = replicas.find((x) => x.id === id);
        return r === undefined || r.validation !== null ? null : r.host_id;
      };
      // A first settlement's valid replicas have no credit yet (sqlite-credit.ts).
      if (!reopened) {
        const members = decision.validIds.map((id) => ({
          id,
          hostId: replicas.find((r) => r.id === id)?.host_id ?? null,
        }));
        changes.creditQuorums.set(taskId, { jobId, members });
      }
      const kind = validKind(decision.validIds);
      for (const id of decision.validIds) changes.tally(hostOf(id), kind);
      for (const id of decision.invalidIds) changes.tally(hostOf(id), 'invalid');
      if (tracksRecords(policy) || reopened) {
        this.judging.judge(
          taskId,
          jobId,
          meta,
          facts,
          decision,
          now,
          changes,
          writerId,
          knownAnswer,
        );
      } else {
        for (const id of decision.validIds)
          if (id !== writerId) this.markValidation.run('valid', id);
        for (const id of decision.invalidIds)
          if (id !== writerId) this.markValidation.run('invalid', id);
      }
      this.settle(
        taskId,
        jobId,
        'valid',
        decision.canonicalId,
        changes,
        hasUnsent,
        reopened && {
          priorDigest: reopened.priorDigest,
          digest: decision.digest,
        },
      );
      return decision;
    }
    this.settle(
      taskId,
      jobId,
      decision.kind,
      null,
      changes,
      hasUnsent,
      reopened && { priorDigest: reopened.priorDigest, digest: null },
    );
    return decision;
  }
}
