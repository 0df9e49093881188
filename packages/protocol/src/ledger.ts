/**
 * @module
 * The ledger as requesters, providers and admins see it (docs/incentives.md): money
 * requests (an admin's credit, a provider's stake and unstake, an operator marking a
 * payout made), each carrying an idempotency key so that sending it twice moves money
 * once and answers the same; statements of an account's entries; what providers earned
 * since a cursor; and the ledger's invariant check.
 */

import { z } from 'zod';
import { Micros } from './pricing.js';

/** A client's name for one money request: the same key twice does it once. */
export const IdempotencyKey = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

/** A positive amount of micro-credits. */
const Amount = Micros.refine((n) => n > 0, 'must be more than zero');

/** `POST /v1/accounts/{id}/credit` (admin): money the operator's payment system received. */
export const CreditRequest = z.strictObject({
  amount: Amount,
  idempotencyKey: IdempotencyKey,
  memo: z.string().max(200).optional(),
});
export type CreditRequest = z.infer<typeof CreditRequest>;

/** A money request's answer: the transfer it made and the account's balance it moved, right after. */
export const MoneyResponse = z.strictObject({
  transferId: z.number().int(),
  account: z.number().int(),
  amount: z.number().int(),
  /**
   * Right after the request, the account's side it moved: its balance after a credit or
   * unstake, its stake after a stake, its earnings left after a payout.
   */
  balance: z.number().int(),
});
export type MoneyResponse = z.infer<typeof MoneyResponse>;

/** `POST /v1/stake` (provider): moves its own money into its stake. */
export const StakeRequest = z.strictObject({
  amount: Amount,
  /** Where the stake comes from: the account's spendable balance or its earnings. */
  from: z.enum(['balance', 'earnings']).default('earnings'),
  idempotencyKey: IdempotencyKey,
});
export type StakeRequest = z.infer<typeof StakeRequest>;
export type StakeRequestInput = z.input<typeof StakeRequest>;

/** `POST /v1/unstake` (provider): moves stake back to its balance. */
export const UnstakeRequest = z.strictObject({
  amount: Amount,
  idempotencyKey: IdempotencyKey,
});
export type UnstakeRequest = z.infer<typeof UnstakeRequest>;

/** `POST /v1/payouts` (admin): the operator paid a provider this much of its earnings. */
export const PayoutRequest = z.strictObject({
  account: z.number().int().positive(),
  amount: Amount,
  idempotencyKey: IdempotencyKey,
});
export type PayoutRequest = z.infer<typeof PayoutRequest>;

export const LedgerAccountKind = z.enum([
  'balance',
  'escrow',
  'earnings',
  'fees',
  'stake',
  'external',
]);
export type LedgerAccountKind = z.infer<typeof LedgerAccountKind>;

/** One posting of a transfer to one of the account's ledger accounts. */
export const StatementEntry = z.strictObject({
  /** The posting's id: the statement's cursor. */
  id: z.number().int(),
  transferId: z.number().int(),
  at: z.number().int(),
  /** What the transfer was: credit, reserve, payment, reversal, refund, stake, unstake, slash, payout, … */
  kind: z.string(),
  /** Which of the account's ledger accounts moved. */
  ledgerAccount: LedgerAccountKind,
  /** Into (positive) or out of (negative) that account. */
  amount: z.number().int(),
  jobId: z.number().int().nullable(),
  replicaId: z.number().int().nullable(),
  hostId: z.number().int().nullable(),
});
export type StatementEntry = z.infer<typeof StatementEntry>;

/** An account's balances. */
export const AccountBalances = z.strictObject({
  balance: z.number().int(),
  earnings: z.number().int(),
  stake: z.number().int(),
});
export type AccountBalances = z.infer<typeof AccountBalances>;

/** `GET /v1/statement?account=&after=&limit=`: an account's entries after a cursor, oldest first. */
export const Statement = z.strictObject({
  account: z.number().int(),
  balances: AccountBalances,
  entries: z.array(StatementEntry),
  /** Pass as `after` for the next page; the last entry's id, or `after` when there was none. */
  cursor: z.number().int(),
});
export type Statement = z.infer<typeof Statement>;

export const StatementQuery = z.strictObject({
  account: z.coerce.number().int().positive().optional(),
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});
export type StatementQuery = z.infer<typeof StatementQuery>;

/** What one provider earned since the cursor. */
export const PayoutLine = z.strictObject({
  account: z.number().int(),
  /** Net earnings posted since the cursor (payments less reversals). */
  earned: z.number().int(),
  /** Its earnings account now: what it may be paid out. */
  earnings: z.number().int(),
});
export type PayoutLine = z.infer<typeof PayoutLine>;

/** `GET /v1/payouts?after=CURSOR` (admin): what each provider earned since a cursor. */
export const Payouts = z.strictObject({
  after: z.number().int(),
  /** Pass as `after` next time: every earning up to it is counted here. */
  cursor: z.number().int(),
  providers: z.array(PayoutLine),
});
export type Payouts = z.infer<typeof Payouts>;

export const PayoutsQuery = z.strictObject({
  after: z.coerce.number().int().min(0).default(0),
});

/** `GET /v1/ledger/check` (admin): whether the ledger's invariant holds, and if not, why. */
export const LedgerCheck = z.strictObject({
  ok: z.boolean(),
  problems: z.array(z.strictObject({ rule: z.string(), message: z.string() })),
  transfers: z.number().int(),
  postings: z.number().int(),
  /** Replicas of paid jobs that stand paid. */
  paidReplicas: z.number().int(),
  /** Sum over all accounts of each kind. */
  totals: z.record(z.string(), z.number()),
});
export type LedgerCheck = z.infer<typeof LedgerCheck>;
