/**
 * @module
 * The double-entry journal (docs/incentives.md, "Ledger"), inside the caller's
 * transaction: a transfer is written once with its postings, which sum to zero, and the
 * balance of every account it touches moves in the same transaction. Nothing here is
 * ever updated or deleted but the kept balances and a transfer's answer to its request.
 */

import type { LedgerAccountKind } from '../../policy/index.js';
import type { SqliteDatabase } from './sqlite-database.js';

/** One posting: an amount into (positive) or out of (negative) an account. */
export interface Posting {
  readonly kind: LedgerAccountKind;
  readonly owner: number;
  readonly amount: number;
}

/**
 * Balance changes of transfers posted in one batch, summed by account (`kind:owner`) and
 * written once by `applyDeltas` before the transaction ends: a report batch paying two
 * hundred replicas moves the job's escrow, each host's earnings and the fees once each,
 * not once per replica. The postings themselves are written at once.
 */
export type BalanceDeltas = Map<string, Posting>;

/** What a transfer is for and what it refers to. */
export interface TransferRefs {
  readonly kind: string;
  readonly idemKey?: string;
  readonly accountId?: number;
  readonly jobId?: number;
  readonly replicaId?: number;
  readonly hostId?: number;
  /** The money request, as JSON, for telling a replay from a reused key. */
  readonly request?: string;
  readonly response?: string;
}

/** A money request found by its idempotency key. */
export interface KeyedTransfer {
  readonly id: number;
  readonly request: string | null;
  readonly response: string | null;
}

export class SqliteLedger {
  private readonly insertTransfer;
  private readonly insertPosting;
  private readonly addBalance;
  private readonly balanceRow;
  private readonly byKey;
  private readonly setAnswer;

  constructor(db: SqliteDatabase) {
    this.insertTransfer = db.prepare(
      `INSERT INTO ledger_transfers (at, kind, idem_key, account_id, job_id, replica_id, host_id, request, response)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertPosting = db.prepare(
      'INSERT INTO ledger_postings (transfer_id, kind, owner, amount) VALUES (?, ?, ?, ?)',
    );
    this.addBalance = db.prepare(
      `INSERT INTO ledger_balances (kind, owner, balance) VALUES (?, ?, ?)
       ON CONFLICT (kind, owner) DO UPDATE SET balance = ledger_balances.balance + excluded.balance`,
    );
    this.balanceRow = db
      .prepare('SELECT balance FROM ledger_balances WHERE kind = ? AND owner = ?')
      .pluck();
    this.byKey = db.prepare(
      'SELECT id, request, response FROM ledger_transfers WHERE idem_key = ?',
    );
    this.setAnswer = db.prepare('UPDATE ledger_transfers SET response = ? WHERE id = ?');
  }

  /**
   * Writes a transfer and its postings and moves the balances (or adds them to `deltas`,
   * for the caller to apply before commit); returns its id. Zero postings are left out;
   * postings that do not sum to zero are a bug, thrown before anything is written.
   */
  post(
    at: number,
    refs: TransferRefs,
    postings: readonly Posting[],
    deltas?: BalanceDeltas,
  ): number {
    let sum = 0;
    for (const p of postings) {
      if (!Number.isSafeInteger(p.amount)) throw new Error(`posting of ${p.amount} is not whole`);
      sum += p.amount;
    }
    if (sum !== 0) throw new Error(`transfer ${refs.kind} does not balance: ${sum}`);
    const id = Number(
      this.insertTransfer.run(
        at,
        refs.kind,
        refs.idemKey ?? null,
        refs.accountId ?? null,
        refs.jobId ?? null,
        refs.replicaId ?? null,
        refs.hostId ?? null,
        refs.request ?? null,
        refs.response ?? null,
      ).lastInsertRowid,
    );
    for (const p of postings) {
      if (p.amount === 0) continue;
      this.insertPosting.run(id, p.kind, p.owner, p.amount);
      if (deltas === undefined) this.addBalance.run(p.kind, p.owner, p.amount);
      else {
        const key = `${p.kind}:${p.owner}`;
        const d = deltas.get(key);
        deltas.set(key, { kind: p.kind, owner: p.owner, amount: (d?.amount ?? 0) + p.amount });
      }
    }
    return id;
  }

  /** Moves the balances a batch of transfers posted with `deltas`, each once; empties it. */
  applyDeltas(deltas: BalanceDeltas): void {
    for (const d of deltas.values())
      if (d.amount !== 0) this.addBalance.run(d.kind, d.owner, d.amount);
    deltas.clear();
  }

  /** An account's balance (0 for one never posted to). */
  balance(kind: LedgerAccountKind, owner: number): number {
    const b = this.balanceRow.get(kind, owner);
    return b === undefined || b === null ? 0 : Number(b);
  }

  /** The transfer a money request with this key made before, if any. */
  keyed(idemKey: string): KeyedTransfer | undefined {
    const row = this.byKey.get(idemKey) as KeyedTransfer | undefined;
    return row === undefined ? undefined : { ...row, id: Number(row.id) };
  }

  /** Keeps the answer a money request got, so that its replay gets the same. */
  answer(transferId: number, response: string): void {
    this.setAnswer.run(response, transferId);
  }
}
