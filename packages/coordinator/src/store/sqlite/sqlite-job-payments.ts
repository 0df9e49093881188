/**
 * @module
 * The ledger's settlement hook (docs/incentives.md, "Payment"): once per store
 * transaction, just before commit, every task of a paid job the transaction decided,
 * judged or re-checked has its replicas' payments brought in line with their verdicts,
 * every paid job that ended gets its unspent escrow back, and every staked host caught in
 * an invalid result is slashed. Being in the same transaction as the verdicts, a crash
 * loses or doubles neither; being driven by the replicas' rows rather than by the code
 * path that changed them, a re-check that overturns a result takes its payment back
 * whichever way it came.
 *
 * A replica is payable when it is validated, not excluded by a re-check, and was
 * reported before its job ended: one judged valid after its job ended (the escrow went
 * back) is marked `UNPAID_LATE` for good.
 */

import type { Asks, JobPricing } from '@anygrid/protocol';
import {
  askCost,
  billedUs,
  charge,
  maxReplicaCharge,
  paidAsks,
  slashAmount,
} from '../../policy/index.js';
import type { JobMeta } from '../rows.js';
import type { ChangeCollector } from './sqlite-change-collector.js';
import type { SqliteDatabase } from './sqlite-database.js';
import { type BalanceDeltas, type Posting, SqliteLedger } from './sqlite-ledger.js';

/** A batch of payments: balance changes not yet written, and each job's escrow as the batch left it. */
interface PaymentBatch {
  readonly deltas: BalanceDeltas;
  readonly escrow: Map<number, number>;
}

/** The platform fee and the slash share, in basis points. */
export interface MoneyRules {
  readonly feeBps: number;
  readonly slashBps: number;
}

/** Tasks whose replicas one statement reads (padded with repeats: one statement text). */
const TASKS_PER_READ = 64;

/** A replica as payment reads it. */
interface PayRow {
  readonly id: number;
  readonly task_id: number;
  readonly host_id: number | null;
  readonly validation: string | null;
  readonly excluded: number | null;
  readonly paid_transfer: number | null;
  readonly duration_ms: number | null;
  readonly reported_at: number | null;
  readonly provider: number | null;
  readonly speed: number | null;
  readonly ask_cpu: number | null;
  readonly ask_mem: number | null;
  readonly ask_gpu: number | null;
}

interface JobMoneyRow {
  readonly state: string;
  readonly finished_at: number | null;
  readonly run_ops: number;
  readonly run_ops_n: number;
}

/** `paid_transfer` of a replica judged valid after its job ended: never paid, never looked at again. */
export const UNPAID_LATE = 0;

/** Whether a replica counts as a valid result of its job: validated, and not excluded by a re-check. */
export function validResult(row: {
  readonly host_id: number | null;
  readonly validation: string | null;
  readonly excluded: number | null;
}): boolean {
  return row.validation === 'valid' && row.excluded !== 1 && row.host_id !== null;
}

/** Whether a job's tasks need an accelerator, so that GPU-seconds are billed. */
export function usesGpu(meta: JobMeta): boolean {
  return (meta.requirements?.accelerators?.length ?? 0) > 0;
}

/** The most one replica of a job can cost (its escrow's unit). */
export function replicaCeiling(meta: JobMeta, pricing: JobPricing, feeBps: number): number {
  return maxReplicaCharge(pricing, meta.policy.limits, usesGpu(meta), feeBps);
}

export class SqliteJobPayments {
  readonly ledger: SqliteLedger;
  private readonly replicasOfTasks;
  private readonly jobRow;
  private readonly markPaid;
  private readonly postingsOf;
  private readonly hostOwner;

  constructor(
    db: SqliteDatabase,
    private readonly metaOf: (jobId: number) => JobMeta,
    private readonly rules: MoneyRules,
  ) {
    this.ledger = new SqliteLedger(db);
    // A report batch's tasks a chunk at a time: one statement per chunk, not per task.
    this.replicasOfTasks = db.prepare(
      `SELECT r.id, r.task_id, r.host_id, r.validation, r.excluded, r.paid_transfer,
         r.duration_ms, r.reported_at, h.account_id AS provider, h.speed,
         h.ask_cpu_second AS ask_cpu, h.ask_mem_gib_second AS ask_mem, h.ask_gpu_second AS ask_gpu
       FROM replicas r LEFT JOIN hosts h ON h.id = r.host_id
       WHERE r.task_id IN (${Array(TASKS_PER_READ).fill('?').join(', ')}) ORDER BY r.id`,
    );
    this.jobRow = db.prepare(
      'SELECT state, finished_at, run_ops, run_ops_n FROM jobs WHERE id = ?',
    );
    this.markPaid = db.prepare('UPDATE replicas SET paid_transfer = ? WHERE id = ?');
    this.postingsOf = db.prepare(
      'SELECT kind, owner, amount FROM ledger_postings WHERE transfer_id = ? ORDER BY id',
    );
    this.hostOwner = db.prepare('SELECT account_id FROM hosts WHERE id = ?').pluck();
  }

  /** Notes a task of a paid job whose replicas' verdicts this transaction may have changed. */
  touch(taskId: number, jobId: number, changes: ChangeCollector): void {
    if (this.metaOf(jobId).policy.pricing !== undefined) changes.moneyTasks.set(taskId, jobId);
  }

  /** Brings payments, refunds and slashes in line with this transaction's verdicts; call once before commit. */
  flush(now: number, changes: ChangeCollector, settledJobs: Iterable<number>): void {
    for (const caught of changes.caught) this.slash(caught, now);
    changes.caught.length = 0;
    const jobs = new Set<number>(changes.moneyJobs);
    changes.moneyJobs.clear();
    for (const jobId of settledJobs) {
      if (this.metaOf(jobId).policy.pricing !== undefined) jobs.add(jobId);
    }
    if (changes.moneyTasks.size === 0 && jobs.size === 0) return;
    // Payments move balances once per account at the end of the batch; what a payment
    // reads of a job's escrow is kept here meanwhile (`available`).
    const batch: PaymentBatch = { deltas: new Map(), escrow: new Map() };
    const rows = new Map<number, JobMoneyRow>();
    const jobOf = (jobId: number) => {
      let row = rows.get(jobId);
      if (!row) {
        row = this.jobRow.get(jobId) as JobMoneyRow;
        rows.set(jobId, row);
      }
      return row;
    };
    // Each task's replicas are read before any is paid: paying one writes only its own row.
    const replicas = this.replicasOf([...changes.moneyTasks.keys()]);
    for (const [taskId, jobId] of changes.moneyTasks) {
      const job = jobOf(jobId);
      for (const r of replicas.get(taskId) ?? []) {
        const paid = r.paid_transfer === null ? null : Number(r.paid_transfer);
        if (paid === UNPAID_LATE) continue;
        const valid = validResult({
          ...r,
          excluded: r.excluded === null ? null : Number(r.excluded),
        });
        if (valid && paid === null) {
          // Judged after its job ended: the escrow went back, and the decision is kept, so
          // that a re-check reopening the job later does not find it owed.
          const late = job.finished_at !== null && Number(r.reported_at) > Number(job.finished_at);
          if (late) this.markPaid.run(UNPAID_LATE, r.id);
          else this.pay(r, jobId, job, now, batch);
        } else if (!valid && paid !== null) {
          this.settleBatch(batch);
          this.reverse(r, jobId, now);
        }
      }
      jobs.add(jobId);
    }
    changes.moneyTasks.clear();
    this.settleBatch(batch);
    for (const jobId of jobs) {
      if (jobOf(jobId).state !== 'running') this.refund(jobId, now);
    }
  }

  /** The replicas of these tasks, by task, each task's in id order. */
  private replicasOf(taskIds: readonly number[]): Map<number, PayRow[]> {
    const byTask = new Map<number, PayRow[]>();
    for (let i = 0; i < taskIds.length; i += TASKS_PER_READ) {
      const chunk = taskIds.slice(i, i + TASKS_PER_READ);
      const last = chunk[chunk.length - 1] as number;
      while (chunk.length < TASKS_PER_READ) chunk.push(last);
      for (const r of this.replicasOfTasks.all(...chunk) as PayRow[]) {
        const taskId = Number(r.task_id);
        const list = byTask.get(taskId);
        if (list) list.push(r);
        else byTask.set(taskId, [r]);
      }
    }
    return byTask;
  }

  /** Writes the batch's balance changes; what it knew of escrows is read again after. */
  private settleBatch(batch: PaymentBatch): void {
    this.ledger.applyDeltas(batch.deltas);
    batch.escrow.clear();
  }

  private pay(r: PayRow, jobId: number, job: JobMoneyRow, now: number, batch: PaymentBatch): void {
    const meta = this.metaOf(jobId);
    const pricing = meta.policy.pricing as JobPricing;
    const { limits, estimatedOps } = meta.policy;
    const measured = job.run_ops_n > 0 ? Number(job.run_ops) / Number(job.run_ops_n) : null;
    const us = billedUs({
      durationMs: Number(r.duration_ms ?? 0),
      hostSpeed: r.speed === null ? null : Number(r.speed),
      taskOps: estimatedOps ?? measured,
      wallTimeMs: limits.wallTimeMs,
    });
    const asks: Asks = {
      cpuSecond: Number(r.ask_cpu ?? 0),
      memGiBSecond: Number(r.ask_mem ?? 0),
      gpuSecond: Number(r.ask_gpu ?? 0),
    };
    const usage = { us, memoryBytes: limits.memoryBytes, gpu: usesGpu(meta) };
    const full = charge(
      askCost(paidAsks(asks, pricing.ceiling), usage),
      pricing.tier,
      this.rules.feeBps,
    );
    const escrow = this.available(jobId, meta.accountId, full.total, now, batch);
    // Past a budget smaller than the maximum (or after a re-check reopened an ended job)
    // the escrow may fall short: the host's share is paid first.
    const host = Math.min(full.host, escrow);
    const fees = Math.min(full.fees, escrow - host);
    const provider = Number(r.provider);
    const id = this.ledger.post(
      now,
      { kind: 'payment', accountId: provider, jobId, replicaId: r.id, hostId: Number(r.host_id) },
      [
        { kind: 'escrow', owner: jobId, amount: -(host + fees) },
        { kind: 'earnings', owner: provider, amount: host },
        { kind: 'fees', owner: 0, amount: fees },
      ],
      batch.deltas,
    );
    batch.escrow.set(jobId, escrow - host - fees);
    this.markPaid.run(id, r.id);
  }

  /** The job's escrow, topped up from its requester's balance towards `needed` when short. */
  private available(
    jobId: number,
    accountId: number,
    needed: number,
    now: number,
    batch: PaymentBatch,
  ): number {
    const known = batch.escrow.get(jobId);
    if (known !== undefined && known >= needed) return known;
    // Read from the balances as they stand once the batch's changes are written.
    this.settleBatch(batch);
    const escrow = this.ledger.balance('escrow', jobId);
    if (escrow >= needed) return escrow;
    const topUp = Math.min(needed - escrow, this.ledger.balance('balance', accountId));
    if (topUp <= 0) return escrow;
    this.ledger.post(now, { kind: 'escrow_top_up', accountId, jobId }, [
      { kind: 'balance', owner: accountId, amount: -topUp },
      { kind: 'escrow', owner: jobId, amount: topUp },
    ]);
    return escrow + topUp;
  }

  /** Takes a payment back into the job's escrow: a re-check found its replica no valid result. */
  private reverse(r: PayRow, jobId: number, now: number): void {
    const postings = this.postingsOf.all(r.paid_transfer) as Posting[];
    this.ledger.post(
      now,
      {
        kind: 'reversal',
        accountId: r.provider === null ? undefined : Number(r.provider),
        jobId,
        replicaId: r.id,
        hostId: r.host_id === null ? undefined : Number(r.host_id),
      },
      postings.map((p) => ({ kind: p.kind, owner: Number(p.owner), amount: -Number(p.amount) })),
    );
    this.markPaid.run(null, r.id);
  }

  /** Returns an ended job's unspent escrow to its requester, exactly. */
  private refund(jobId: number, now: number): void {
    const escrow = this.ledger.balance('escrow', jobId);
    if (escrow <= 0) return;
    const accountId = this.metaOf(jobId).accountId;
    this.ledger.post(now, { kind: 'refund', accountId, jobId }, [
      { kind: 'escrow', owner: jobId, amount: -escrow },
      { kind: 'balance', owner: accountId, amount: escrow },
    ]);
  }

  /** Slashes a caught host's owner's stake by the configured share, to the platform. */
  private slash(c: { hostId: number; replicaId: number; jobId: number | null }, now: number): void {
    if (this.rules.slashBps <= 0) return;
    const owner = this.hostOwner.get(c.hostId) as number | undefined;
    if (owner === undefined) return;
    const amount = slashAmount(this.ledger.balance('stake', Number(owner)), this.rules.slashBps);
    if (amount <= 0) return;
    this.ledger.post(
      now,
      {
        kind: 'slash',
        accountId: Number(owner),
        hostId: c.hostId,
        replicaId: c.replicaId,
        ...(c.jobId === null ? {} : { jobId: c.jobId }),
      },
      [
        { kind: 'stake', owner: Number(owner), amount: -amount },
        { kind: 'fees', owner: 0, amount },
      ],
    );
  }
}
