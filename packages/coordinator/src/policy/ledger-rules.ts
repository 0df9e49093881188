/**
 * @module
 * The ledger's accounts and the invariant every state of it must keep (docs/incentives.md,
 * "Ledger"). Pure: the store gathers the facts, this decides what is wrong with them, so
 * the admin check, the tests and the simulator judge a ledger by one rule.
 */

/** Kinds of ledger account. Owners: an account id (balance, earnings, stake), a job id (escrow), 0 (fees, external). */
export type LedgerAccountKind = 'balance' | 'escrow' | 'earnings' | 'fees' | 'stake' | 'external';

/**
 * Accounts that may go below zero: `external` is where credited money comes from and
 * payouts go, so it stands at minus what the platform holds; `earnings` only when a
 * re-check reversed a payment after the provider was paid out (the provider owes it).
 */
const MAY_BE_NEGATIVE: ReadonlySet<LedgerAccountKind> = new Set(['external', 'earnings']);

/** Whether an account of this kind may stand below zero. */
export function mayBeNegative(kind: LedgerAccountKind): boolean {
  return MAY_BE_NEGATIVE.has(kind);
}

/** One account's balance as kept, beside the sum of its postings. */
export interface BalanceFact {
  readonly kind: LedgerAccountKind;
  readonly owner: number;
  readonly kept: number;
  readonly posted: number;
}

/** A replica of a paid job, as the check sees it. */
export interface PaidReplicaFact {
  readonly replicaId: number;
  /** It counts as a valid result: validated, and not excluded by a re-check. */
  readonly payable: boolean;
  /** Payment transfers for it, minus reversals of them. */
  readonly netPayments: number;
  /** Whether `paid_transfer` names one. */
  readonly marked: boolean;
}

/** What the ledger check reads. */
export interface LedgerFacts {
  /** Transfers whose postings do not sum to zero (ids, up to a few). */
  readonly unbalanced: readonly number[];
  /** Sum of every posting ever written. */
  readonly total: number;
  readonly balances: readonly BalanceFact[];
  readonly replicas: readonly PaidReplicaFact[];
  /** Escrow left on jobs that ended, beyond what their replicas still running may need. */
  readonly endedEscrow: readonly { readonly jobId: number; readonly escrow: number }[];
}

export interface LedgerProblem {
  readonly rule:
    | 'unbalanced_transfer'
    | 'total_not_zero'
    | 'balance_mismatch'
    | 'negative_balance'
    | 'unpaid_valid_replica'
    | 'paid_invalid_replica'
    | 'paid_twice'
    | 'escrow_left';
  readonly message: string;
}

/** Every way the facts break the ledger's invariant; empty when it holds. */
export function ledgerProblems(f: LedgerFacts): LedgerProblem[] {
  const out: LedgerProblem[] = [];
  for (const id of f.unbalanced) {
    out.push({ rule: 'unbalanced_transfer', message: `transfer ${id} does not sum to zero` });
  }
  if (f.total !== 0) {
    out.push({ rule: 'total_not_zero', message: `all postings sum to ${f.total}, not 0` });
  }
  for (const b of f.balances) {
    const name = `${b.kind} ${b.owner}`;
    if (b.kept !== b.posted) {
      out.push({
        rule: 'balance_mismatch',
        message: `${name} keeps ${b.kept} but its postings sum to ${b.posted}`,
      });
    }
    if (b.posted < 0 && !mayBeNegative(b.kind)) {
      out.push({ rule: 'negative_balance', message: `${name} stands at ${b.posted}` });
    }
  }
  for (const r of f.replicas) {
    if (r.netPayments > 1) {
      out.push({
        rule: 'paid_twice',
        message: `replica ${r.replicaId} paid ${r.netPayments} times`,
      });
    } else if (r.payable && (r.netPayments !== 1 || !r.marked)) {
      out.push({ rule: 'unpaid_valid_replica', message: `valid replica ${r.replicaId} is unpaid` });
    } else if (!r.payable && (r.netPayments !== 0 || r.marked)) {
      out.push({
        rule: 'paid_invalid_replica',
        message: `replica ${r.replicaId} is paid but not a valid result`,
      });
    }
  }
  for (const e of f.endedEscrow) {
    out.push({
      rule: 'escrow_left',
      message: `job ${e.jobId} ended with ${e.escrow} left in escrow`,
    });
  }
  return out;
}
