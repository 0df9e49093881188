/**
 * @module
 * What a settlement by comparison teaches about hosts, inside the settling transaction:
 * each replica of the canonical group is recorded valid (or accepted alone) with how it
 * was confirmed and by which other accounts (trust needs several: policy/
 * partner-accounts.ts), each disagreeing one invalid. An invalid result is a catch: one more
 * strike on the host's record for the app, quarantine at the policy's threshold, and
 * every result of the host that no trusted host confirmed since its previous catch is
 * verified again (policy/recheck.ts): its task is reopened with the caught host's replica
 * excluded, and settled again among the others and new replicas. A changed outcome
 * reaches the requester as a corrected result; hosts that agreed with the wrong result
 * are caught in turn, and those judged invalid against it are exonerated.
 */

import {
  adaptiveParams,
  type Confirmation,
  isQuarantined,
  isTrusted,
  judgement,
  knownAnswerVerdict,
  recordAlone,
  recordConfirmed,
  recordExonerated,
  recordInvalid,
  resultsToRecheck,
  type TaskDecision,
  type ValidationRecord,
} from '../../policy/index.js';
import type { JobMeta } from '../rows.js';
import type { ChangeCollector } from './sqlite-change-collector.js';
import type { SqliteDatabase } from './sqlite-database.js';
import type { FactsRow } from './sqlite-settlement.js';
import { SqliteUnconfirmed } from './sqlite-unconfirmed.js';
import { SqliteValidationRecords } from './sqlite-validation-records.js';

type ValidDecision = Extract<TaskDecision, { kind: 'valid' }>;

/**
 * The accounts of the other hosts in an agreeing group: whom a confirmation of `self`
 * counts as partners (policy/partner-accounts.ts). The assignment keeps one account's
 * hosts off one task, but a host's own account is left out here all the same.
 */
function partnerAccounts(
  group: readonly (FactsRow | undefined)[],
  self: FactsRow | undefined,
): number[] {
  const out: number[] = [];
  const own = self?.account ?? null;
  for (const row of group) {
    const a = row?.account ?? null;
    if (row !== self && a !== null && a !== own) out.push(a);
  }
  return out;
}

/** Re-decides one active task within the transaction (the settlement's own `decide`). */
type Decide = (taskId: number, jobId: number, now: number, changes: ChangeCollector) => void;

export class SqliteJudging {
  private readonly records;
  private readonly unconfirmed;
  private readonly markJudged;
  private readonly markInvalid;
  private readonly exclude;
  private readonly taskRow;
  private readonly digestOf;
  private readonly reopenTask;
  private readonly reopenJob;
  private readonly event;
  private readonly confirmationOf;

  constructor(
    db: SqliteDatabase,
    private readonly metaOf: (jobId: number) => JobMeta,
    private readonly decide: Decide,
  ) {
    this.records = new SqliteValidationRecords(db);
    this.unconfirmed = new SqliteUnconfirmed(db);
    this.markJudged = db.prepare(
      'UPDATE replicas SET validation = ?, confirmation = ?, accepted_at = ? WHERE id = ?',
    );
    this.markInvalid = db.prepare(
      `UPDATE replicas SET validation = 'invalid', confirmation = NULL WHERE id = ?`,
    );
    this.exclude = db.prepare('UPDATE replicas SET excluded = 1 WHERE task_id = ? AND host_id = ?');
    this.taskRow = db.prepare(
      `SELECT t.job_id, t.state, t.canonical_replica_id, j.state AS job_state
       FROM tasks t JOIN jobs j ON j.id = t.job_id WHERE t.id = ?`,
    );
    this.digestOf = db.prepare('SELECT digest FROM replicas WHERE id = ?').pluck();
    this.confirmationOf = db.prepare('SELECT confirmation FROM replicas WHERE id = ?').pluck();
    this.reopenTask = db.prepare(
      `UPDATE tasks SET state = 'active', prior_digest = ? WHERE id = ?`,
    );
    this.reopenJob = db.prepare(
      `UPDATE jobs SET state = 'running', finished_at = NULL WHERE id = ? AND state = 'completed'`,
    );
    this.event = db.prepare(
      'INSERT INTO events (at, kind, job_id, task_id, replica_id, host_id, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
  }

  /** A host's record for an app, as this transaction sees it. */
  record(hostId: number, app: string, now: number, changes: ChangeCollector): ValidationRecord {
    return this.records.get(changes.records, hostId, app, now);
  }

  /** Records what a valid settlement says of each judged replica's host. */
  judge(
    taskId: number,
    jobId: number,
    meta: JobMeta,
    facts: readonly FactsRow[],
    decision: ValidDecision,
    now: number,
    changes: ChangeCollector,
    /** The replica being reported, whose row the caller writes (with its confirmation). */
    writerId?: number,
    /** The canonical output is the requester's known answer: agreeing is a confirmation. */
    known = false,
  ): void {
    const app = meta.moduleHash;
    if (known) {
      for (const id of decision.validIds) {
        const row = facts.find((r) => r.id === id);
        if (row?.validation !== null || row.host_id === null) continue;
        if (id === writerId) changes.writerConfirmation = 'trusted';
        else this.markJudged.run('valid', 'trusted', now, id);
        const r = this.record(row.host_id, app, now, changes);
        const after = recordConfirmed(r, [], adaptiveParams(meta.policy));
        this.records.set(changes.records, row.host_id, app, after);
      }
      return;
    }
    // The common case under `adaptive`: one result accepted alone, nobody else judged.
    const [only] = decision.validIds;
    if (only !== undefined && decision.validIds.length === 1 && decision.invalidIds.length === 0) {
      const row = facts.find((r) => r.id === only);
      if (row?.validation === null && row.host_id !== null) {
        if (only === writerId) changes.writerConfirmation = 'alone';
        else this.markJudged.run('valid', 'alone', now, only);
        changes.accepted(row.host_id, jobId, only, 'alone');
        const r = this.record(row.host_id, app, now, changes);
        this.records.set(changes.records, row.host_id, app, recordAlone(r));
        return;
      }
    }
    const params = adaptiveParams(meta.policy);
    // A task has a handful of replicas: plain scans beat building maps for each settlement.
    const rowOf = (id: number) => facts.find((r) => r.id === id);
    const valid = decision.validIds;
    const group = valid.map(rowOf);
    // Trust as it stood before this settlement, for every member of the agreeing group.
    const trusted = group.map((row) =>
      isTrusted(this.record(row?.host_id ?? 0, app, now, changes), params),
    );
    const alone = valid.length === 1;
    for (let i = 0; i < valid.length; i++) {
      const id = valid[i] as number;
      let confirmation: Confirmation = alone ? 'alone' : 'untrusted';
      for (let k = 0; k < valid.length; k++) if (k !== i && trusted[k]) confirmation = 'trusted';
      if (id === writerId) changes.writerConfirmation = confirmation;
      else this.markJudged.run('valid', confirmation, now, id);
      const row = group[i];
      changes.accepted(row?.host_id ?? null, jobId, id, confirmation);
      const host = row?.host_id ?? 0;
      const j = judgement(row?.validation ?? null, 'valid', alone);
      if (j === null) continue;
      const r = this.record(host, app, now, changes);
      if (j === 'valid') {
        const after = recordConfirmed(r, partnerAccounts(group, row), params);
        this.records.set(changes.records, host, app, after);
      } else if (j === 'alone') this.records.set(changes.records, host, app, recordAlone(r));
      else {
        changes.recount(host, 'invalid', 'valid');
        this.exonerate(host, meta, r, now, changes);
      }
    }
    for (const id of decision.invalidIds) {
      const row = rowOf(id);
      // How it was counted is read before markInvalid clears its confirmation.
      const was = row?.validation === 'valid' ? this.acceptedAs(id) : undefined;
      if (id !== writerId) this.markInvalid.run(id);
      if (judgement(row?.validation ?? null, 'invalid', false) !== 'invalid') continue;
      if (was !== undefined) {
        changes.recount(row?.host_id ?? null, was, 'invalid');
        changes.revokeCredit.add(id);
      }
      this.caught(row?.host_id ?? 0, meta, taskId, id, now, changes);
    }
    if (meta.policy.compare.kind === 'exact') this.judgeExcluded(facts, decision, changes);
  }

  /**
   * A caught host's replica left out of a re-checked task: once the task settles again,
   * a result that differs from the new canonical one is marked invalid and counted so,
   * without a further strike (its host was caught already, for this stretch). Only under
   * `exact`, where differing bytes are a verdict; other comparators would need a comparison.
   */
  private judgeExcluded(
    facts: readonly FactsRow[],
    decision: ValidDecision,
    changes: ChangeCollector,
  ): void {
    for (const row of facts) {
      if (row.excluded !== 1 || row.validation !== 'valid' || row.digest === decision.digest) {
        continue;
      }
      // How it was counted is read before markInvalid clears its confirmation.
      const was = this.acceptedAs(row.id);
      this.markInvalid.run(row.id);
      changes.recount(row.host_id, was, 'invalid');
      changes.revokeCredit.add(row.id);
    }
  }

  /** How an accepted replica was counted for its host: alone, or valid with others. */
  private acceptedAs(replicaId: number): 'alone' | 'valid' {
    return this.confirmationOf.get(replicaId) === 'alone' ? 'alone' : 'valid';
  }

  /**
   * Judges a `spot-check` task's results against its known answer (known-answer.ts).
   * Once one matches, each newly reported one that differs is invalid, its host caught;
   * before that, a differing one counts as a failed attempt (the task asks another host)
   * and nobody is judged, since the requester's answer may be the wrong one. Returns the
   * replicas as the decision must see them, and whether the known answer is disputed.
   */
  checkKnown(
    taskId: number,
    jobId: number,
    meta: JobMeta,
    facts: readonly FactsRow[],
    known: string,
    now: number,
    changes: ChangeCollector,
    writerId?: number,
  ): { facts: FactsRow[]; disputed: boolean } {
    const verdict = knownAnswerVerdict(facts, known);
    if (verdict.kind === 'disputed') {
      const data = JSON.stringify({ known, agreed: verdict.digest });
      this.event.run(now, 'known_answer_disputed', jobId, taskId, null, null, data);
      return { facts: [...facts], disputed: true };
    }
    const confirmed = verdict.kind === 'confirmed';
    const out = facts.map((r): FactsRow => {
      if (r.state !== 'reported' || r.digest === known) return r;
      if (!confirmed) return { ...r, state: 'errored' };
      if (r.validation !== 'invalid' && r.host_id !== null) {
        // Counted invalid on the host, as a disagreement in a comparison is.
        if (r.validation === null) changes.tally(r.host_id, 'invalid');
        if (r.id === writerId) changes.writerInvalid = true;
        else this.markInvalid.run(r.id);
        this.caught(r.host_id, meta, taskId, r.id, now, changes);
      }
      return { ...r, state: 'abandoned' };
    });
    return { facts: out, disputed: false };
  }

  /** A spot check came back: agreeing with the known answer is a valid result, differing a catch. */
  spotChecked(
    replicaId: number,
    taskId: number,
    meta: JobMeta,
    hostId: number,
    validation: 'valid' | 'invalid',
    now: number,
    changes: ChangeCollector,
  ): void {
    const app = meta.moduleHash;
    if (validation === 'invalid') {
      this.caught(hostId, meta, taskId, replicaId, now, changes);
      return;
    }
    const before = this.record(hostId, app, now, changes);
    const after = recordConfirmed(before, [], adaptiveParams(meta.policy));
    this.records.set(changes.records, hostId, app, after);
  }

  /** A host's result disagreed with the canonical one: strike, maybe quarantine, re-checks. */
  private caught(
    hostId: number,
    meta: JobMeta,
    taskId: number,
    replicaId: number,
    now: number,
    changes: ChangeCollector,
  ): void {
    const app = meta.moduleHash;
    const params = adaptiveParams(meta.policy);
    const before = this.record(hostId, app, now, changes);
    const after = recordInvalid(before, now, params.forgiveAfter);
    this.records.set(changes.records, hostId, app, after);
    const data = JSON.stringify({ app, strikes: after.strikes });
    this.event.run(now, 'host_caught', null, taskId, replicaId, hostId, data);
    changes.caught.push({ hostId, replicaId, jobId: null });
    if (isQuarantined(after, params)) {
      const reason = `${after.strikes} invalid results of app ${app.slice(0, 12)} not forgiven`;
      changes.quarantined.add(hostId);
      if (this.records.quarantine(hostId, reason, now)) {
        this.event.run(now, 'host_quarantined', null, null, null, hostId, data);
      }
    }
    for (const t of resultsToRecheck(
      before,
      this.unconfirmed.acceptedSince(hostId, app, before.since),
    )) {
      if (t !== taskId) changes.rechecks.push({ taskId: t, hostId });
    }
  }

  /** A re-check showed a result judged invalid was right: strike back, quarantine lifted if undeserved. */
  private exonerate(
    hostId: number,
    meta: JobMeta,
    before: ValidationRecord,
    now: number,
    changes: ChangeCollector,
  ): void {
    const after = recordExonerated(before);
    this.records.set(changes.records, hostId, meta.moduleHash, after);
    if (isQuarantined(after, adaptiveParams(meta.policy)) || !this.records.release(hostId)) return;
    changes.quarantined.delete(hostId);
    this.event.run(now, 'host_released', null, null, null, hostId, 'exonerated by a re-check');
  }

  /**
   * Reopens and re-decides every task a catch named, including those named by catches
   * that these re-decisions make in turn; call before the transaction's counters are
   * written.
   */
  drainRechecks(now: number, changes: ChangeCollector): void {
    for (let next = changes.rechecks.shift(); next; next = changes.rechecks.shift()) {
      this.reopen(next.taskId, next.hostId, now, changes);
    }
  }

  /** Writes the records the transaction changed. */
  flushRecords(changes: ChangeCollector, now: number): void {
    this.records.flush(changes.records);
    this.unconfirmed.flush(changes.unconfirmed, now);
  }

  private reopen(taskId: number, hostId: number, now: number, changes: ChangeCollector): void {
    const task = this.taskRow.get(taskId) as
      | { job_id: number; state: string; canonical_replica_id: number | null; job_state: string }
      | undefined;
    if (!task || task.job_state === 'cancelled') return;
    if (task.state !== 'valid' && task.state !== 'active') return;
    this.exclude.run(taskId, hostId);
    if (task.state === 'valid') {
      const digest = this.digestOf.get(task.canonical_replica_id) as string | null;
      this.reopenTask.run(digest, taskId);
      changes.countSettled(task.job_id, 'valid', -1);
      this.reopenJob.run(task.job_id);
      this.event.run(now, 'task_rechecked', task.job_id, taskId, null, hostId, null);
    }
    // Keep the job's meta warm: the decision below reads it.
    this.metaOf(task.job_id);
    this.decide(taskId, task.job_id, now, changes);
  }
}
