/**
 * @module
 * Money requests and the ledger's views, inside the store's transactions: a paid job's
 * reserve at submit, an admin's credit, a provider's stake and unstake, a payout marked
 * made; statements, what providers earned since a cursor, and the invariant check
 * (policy/ledger-rules.ts). Each money request is keyed: its first transfer keeps the
 * request and its answer, and the same key again answers the same without moving money.
 */

import {
  type AccountBalances,
  IdempotencyKeyReusedError,
  InsufficientBalanceError,
  type JobPricing,
  type LedgerCheck,
  type MoneyResponse,
  NotFoundError,
  type Payouts,
  type Statement,
  type StatementEntry,
} from '@anygrid/protocol';
import {
  jobReserve,
  type LedgerAccountKind,
  type LedgerFacts,
  ledgerProblems,
} from '../../policy/index.js';
import type { JobMeta } from '../rows.js';
import type { MoneyMove } from '../store-data.js';
import { type SqliteDatabase, statementCache } from './sqlite-database.js';
import {
  replicaCeiling,
  type SqliteJobPayments,
  UNPAID_LATE,
  validResult,
} from './sqlite-job-payments.js';
import type { Posting, SqliteLedger } from './sqlite-ledger.js';

interface EntryRow {
  id: number;
  transfer_id: number;
  at: number;
  kind: string;
  ledger_account: LedgerAccountKind;
  amount: number;
  job_id: number | null;
  replica_id: number | null;
  host_id: number | null;
}

/** Ledger accounts owned by a platform rather than by an account or a job. */
const PLATFORM_OWNER = 0;

export class SqliteMoney {
  private readonly ledger: SqliteLedger;
  /** Statements prepared once, on first use: these views are read rarely. */
  private readonly sql;

  constructor(
    db: SqliteDatabase,
    payments: SqliteJobPayments,
    private readonly metaOf: (jobId: number) => JobMeta,
    private readonly feeBps: number,
  ) {
    this.ledger = payments.ledger;
    this.sql = statementCache(db);
  }

  /**
   * Reserves a new paid job's maximum cost from its requester's balance into its escrow;
   * throws InsufficientBalanceError (the caller's transaction then writes nothing).
   */
  reserve(accountId: number, jobId: number, tasks: number, now: number): void {
    const meta = this.metaOf(jobId);
    const pricing = meta.policy.pricing as JobPricing | undefined;
    if (pricing === undefined) return;
    const perReplica = replicaCeiling(meta, pricing, this.feeBps);
    const needed = jobReserve(tasks, meta.policy.maxTotal, perReplica, pricing.budget);
    const balance = this.ledger.balance('balance', accountId);
    if (balance < needed) throw new InsufficientBalanceError('This paid job', balance, needed);
    this.ledger.post(now, { kind: 'reserve', accountId, jobId }, [
      { kind: 'balance', owner: accountId, amount: -needed },
      { kind: 'escrow', owner: jobId, amount: needed },
    ]);
  }

  /** Moves money between two of an account's ledger accounts (or from/to external), once per key. */
  move(m: MoneyMove, now: number): MoneyResponse {
    const key = `${m.kind}:${m.account}:${m.idempotencyKey}`;
    const request = JSON.stringify({ amount: m.amount, from: m.from, to: m.to, memo: m.memo });
    const prior = this.ledger.keyed(key);
    if (prior !== undefined) {
      if (prior.request !== request) throw new IdempotencyKeyReusedError(m.idempotencyKey);
      return JSON.parse(prior.response as string) as MoneyResponse;
    }
    if (this.sql('SELECT id FROM accounts WHERE id = ?').get(m.account) === undefined) {
      throw new NotFoundError('account', m.account);
    }
    const ownerOf = (kind: LedgerAccountKind) => (kind === 'external' ? PLATFORM_OWNER : m.account);
    if (m.from !== 'external') {
      const held = this.ledger.balance(m.from, m.account);
      if (held < m.amount) {
        throw new InsufficientBalanceError(`Moving from ${m.from}`, held, m.amount);
      }
    }
    const postings: Posting[] = [
      { kind: m.from, owner: ownerOf(m.from), amount: -m.amount },
      { kind: m.to, owner: ownerOf(m.to), amount: m.amount },
    ];
    const id = this.ledger.post(
      now,
      { kind: m.kind, idemKey: key, accountId: m.account, request },
      postings,
    );
    const response: MoneyResponse = {
      transferId: id,
      account: m.account,
      amount: m.amount,
      // The account's own side: what a payout left in earnings, else what the move filled.
      balance:
        m.to === 'external'
          ? this.ledger.balance(m.from, m.account)
          : this.ledger.balance(m.to, m.account),
    };
    this.ledger.answer(id, JSON.stringify(response));
    return response;
  }

  balances(accountId: number): AccountBalances {
    return {
      balance: this.ledger.balance('balance', accountId),
      earnings: this.ledger.balance('earnings', accountId),
      stake: this.ledger.balance('stake', accountId),
    };
  }

  /** An account's postings (its balance, earnings and stake) after a cursor, oldest first. */
  statement(accountId: number, after: number, limit: number): Statement {
    const rows = this.sql(
      `SELECT p.id, p.transfer_id, t.at, t.kind, p.kind AS ledger_account, p.amount,
           t.job_id, t.replica_id, t.host_id
         FROM ledger_postings p JOIN ledger_transfers t ON t.id = p.transfer_id
         WHERE p.owner = ? AND p.kind IN ('balance', 'earnings', 'stake') AND p.id > ?
         ORDER BY p.id LIMIT ?`,
    ).all(accountId, after, limit) as EntryRow[];
    const n = (v: number | null) => (v === null ? null : Number(v));
    const entries = rows.map(
      (r): StatementEntry => ({
        id: Number(r.id),
        transferId: Number(r.transfer_id),
        at: Number(r.at),
        kind: r.kind,
        ledgerAccount: r.ledger_account,
        amount: Number(r.amount),
        jobId: n(r.job_id),
        replicaId: n(r.replica_id),
        hostId: n(r.host_id),
      }),
    );
    return {
      account: accountId,
      balances: this.balances(accountId),
      entries,
      cursor: entries.at(-1)?.id ?? after,
    };
  }

  /** What each provider earned (net) since a posting cursor, and its earnings now. */
  payouts(after: number): Payouts {
    const cursor = Number(
      this.sql('SELECT COALESCE(MAX(id), 0) FROM ledger_postings').pluck().get(),
    );
    const rows = this.sql(
      `SELECT p.owner AS account, SUM(p.amount) AS earned, b.balance AS earnings
         FROM ledger_postings p
         JOIN ledger_transfers t ON t.id = p.transfer_id
         LEFT JOIN ledger_balances b ON b.kind = 'earnings' AND b.owner = p.owner
         WHERE p.kind = 'earnings' AND p.id > ? AND p.id <= ? AND t.kind IN ('payment', 'reversal')
         GROUP BY p.owner, b.balance ORDER BY p.owner`,
    ).all(after, cursor) as { account: number; earned: number; earnings: number | null }[];
    return {
      after,
      cursor,
      providers: rows.map((r) => ({
        account: Number(r.account),
        earned: Number(r.earned),
        earnings: Number(r.earnings ?? 0),
      })),
    };
  }

  /** Reads the facts of the ledger's invariant and judges them (policy/ledger-rules.ts). */
  check(): LedgerCheck {
    const all = <T>(sql: string, ...params: unknown[]) => this.sql(sql).all(...params) as T[];
    const one = (sql: string) => Number(this.sql(sql).pluck().get() ?? 0);
    const unbalanced = all<{ id: number }>(
      `SELECT t.id FROM ledger_transfers t JOIN ledger_postings p ON p.transfer_id = t.id
       GROUP BY t.id HAVING SUM(p.amount) <> 0 ORDER BY t.id LIMIT 20`,
    ).map((r) => Number(r.id));
    const balances = all<{ kind: LedgerAccountKind; owner: number; kept: number; posted: number }>(
      `SELECT b.kind, b.owner, b.balance AS kept,
         (SELECT COALESCE(SUM(p.amount), 0) FROM ledger_postings p
          WHERE p.kind = b.kind AND p.owner = b.owner) AS posted
       FROM ledger_balances b ORDER BY b.kind, b.owner`,
    ).map((b) => ({
      ...b,
      owner: Number(b.owner),
      kept: Number(b.kept),
      posted: Number(b.posted),
    }));
    const replicaRows = all<{
      id: number;
      host_id: number | null;
      validation: string | null;
      excluded: number | null;
      paid_transfer: number | null;
      payments: number;
      reversals: number;
    }>(
      `SELECT r.id, r.host_id, r.validation, r.excluded, r.paid_transfer,
         (SELECT COUNT(*) FROM ledger_transfers t WHERE t.replica_id = r.id AND t.kind = 'payment') AS payments,
         (SELECT COUNT(*) FROM ledger_transfers t WHERE t.replica_id = r.id AND t.kind = 'reversal') AS reversals
       FROM replicas r
       WHERE r.job_id IN (SELECT DISTINCT job_id FROM ledger_transfers WHERE kind = 'reserve')`,
    );
    const replicas = replicaRows.map((r) => {
      const paid = r.paid_transfer === null ? null : Number(r.paid_transfer);
      return {
        replicaId: Number(r.id),
        // A valid result judged after its job ended was decided unpaid when it was judged.
        payable:
          paid !== UNPAID_LATE &&
          validResult({
            host_id: r.host_id,
            validation: r.validation,
            excluded: r.excluded === null ? null : Number(r.excluded),
          }),
        netPayments: Number(r.payments) - Number(r.reversals),
        marked: paid !== null && paid !== UNPAID_LATE,
      };
    });
    const endedEscrow = all<{ job_id: number; balance: number }>(
      `SELECT b.owner AS job_id, b.balance FROM ledger_balances b JOIN jobs j ON j.id = b.owner
       WHERE b.kind = 'escrow' AND b.balance <> 0 AND j.state <> 'running'`,
    ).map((e) => ({ jobId: Number(e.job_id), escrow: Number(e.balance) }));
    const facts: LedgerFacts = {
      unbalanced,
      total: one('SELECT COALESCE(SUM(amount), 0) FROM ledger_postings'),
      balances,
      replicas,
      endedEscrow,
    };
    const totals: Record<string, number> = {};
    for (const b of balances) totals[b.kind] = (totals[b.kind] ?? 0) + b.posted;
    const problems = ledgerProblems(facts).map((p) => ({ rule: p.rule, message: p.message }));
    return {
      ok: problems.length === 0,
      problems,
      transfers: one('SELECT COUNT(*) FROM ledger_transfers'),
      postings: one('SELECT COUNT(*) FROM ledger_postings'),
      paidReplicas: replicas.filter((r) => r.marked).length,
      totals,
    };
  }
}
