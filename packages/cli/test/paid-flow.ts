/**
 * @module
 * Helpers for the paid-job tests (docs/incentives.md): a priced policy, crediting an
 * account, the coordinator's ledger check, and the ledger's facts read straight from the
 * SQLite file, so a test checks the ledger against the replicas' own rows.
 */

import { expect } from 'vitest';
import type { client } from './harness.js';
import { inspectStore } from './store-inspect.js';

type Client = ReturnType<typeof client>;

/** One credit per normalized CPU-second, in micro-credits: what the paid hosts ask. */
export const ASK_CPU = 1_000_000;

/** A paid job's policy: ceiling above every ask, a 10 s wall-time limit (its escrow's unit). */
export function pricedPolicy(
  tier: 'economy' | 'standard' | 'priority',
  extra: Record<string, unknown> = {},
) {
  return {
    limits: { wallTimeMs: 10_000 },
    pricing: { ceiling: { cpuSecond: 4 * ASK_CPU, memGiBSecond: 0, gpuSecond: 0 }, tier },
    ...extra,
  };
}

/** Credits an account through the admin API, and checks that a replay changes nothing. */
export async function credit(admin: Client, accountId: number, amount: number, key: string) {
  const first = await admin.post(`/v1/accounts/${accountId}/credit`, {
    amount,
    idempotencyKey: key,
  });
  expect(first.status).toBe(200);
  const replay = await admin.post(`/v1/accounts/${accountId}/credit`, {
    amount,
    idempotencyKey: key,
  });
  expect(replay.body).toEqual(first.body);
  return first.body as { balance: number };
}

/** The coordinator's own ledger check, which must hold. */
export async function expectLedgerHolds(admin: Client) {
  const check = await admin.get('/v1/ledger/check');
  expect(check.status).toBe(200);
  expect(check.body.problems).toEqual([]);
  expect(check.body.ok).toBe(true);
  return check.body as { paidReplicas: number; totals: Record<string, number> };
}

/** What the ledger says of the jobs' replicas, read from the store file. */
export function paidFacts(dataDir: string, jobIds: readonly number[]) {
  const store = inspectStore(dataDir);
  try {
    const ids = jobIds.join(',');
    // paid: 1 with a standing payment; late: judged valid after its job ended, never paid.
    const byState = store.query<{
      state: string;
      validation: string | null;
      paid: number;
      late: number;
      n: number;
    }>(
      `SELECT r.state, r.validation,
         (r.paid_transfer IS NOT NULL AND r.paid_transfer <> 0) AS paid,
         (r.paid_transfer = 0) AS late, COUNT(*) AS n
       FROM replicas r WHERE r.job_id IN (${ids}) GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
    );
    /** Replicas with more than one net payment (payments less reversals). */
    const paidTwice = store.query<{ id: number }>(
      `SELECT replica_id AS id FROM ledger_transfers WHERE job_id IN (${ids})
       GROUP BY replica_id HAVING SUM(CASE kind WHEN 'payment' THEN 1 WHEN 'reversal' THEN -1 ELSE 0 END) > 1`,
    );
    /** What left each job's escrow for payments (less reversals): what its requester paid. */
    const spent = store.query<{ job: number; spent: number; reserved: number; refunded: number }>(
      `SELECT t.job_id AS job,
         -SUM(CASE WHEN t.kind IN ('payment', 'reversal') THEN p.amount ELSE 0 END) AS spent,
         SUM(CASE WHEN t.kind IN ('reserve', 'escrow_top_up') THEN p.amount ELSE 0 END) AS reserved,
         -SUM(CASE WHEN t.kind = 'refund' THEN p.amount ELSE 0 END) AS refunded
       FROM ledger_transfers t JOIN ledger_postings p ON p.transfer_id = t.id AND p.kind = 'escrow'
       WHERE t.job_id IN (${ids}) GROUP BY t.job_id ORDER BY t.job_id`,
    );
    return { byState, paidTwice, spent };
  } finally {
    store.close();
  }
}
