/**
 * Acceptance 2 of issue 15 (docs/incentives.md): the coordinator is SIGKILLed again and
 * again while paid jobs settle, and restarted on the same data dir. Payments ride in the
 * transactions that validate, so none is lost or made twice: the ledger check holds, no
 * replica is paid twice, and each job's escrow went exactly to payments and its refund.
 */

import { describe, expect, it } from 'vitest';
import { client, startAgent, useRestartableCoordinator, waitFor } from './harness.js';
import { primeRanges, submitPrimes, waitForJob } from './job-flow.js';
import { credit, expectLedgerHolds, paidFacts, pricedPolicy } from './paid-flow.js';

const CREDIT = 1_000_000_000_000;

describe('the coordinator SIGKILLed repeatedly while paid jobs settle', () => {
  const ctx = useRestartableCoordinator();

  it('neither loses nor doubles a payment, and refunds every escrow exactly', async () => {
    let { coord } = ctx;
    const admin = client(coord.url, coord.adminToken);
    const requesterToken = await admin.token('requester');
    let requester = client(coord.url, requesterToken);
    startAgent(coord.url, await admin.token('provider'), {
      name: 'a',
      extraArgs: ['--ask-cpu', '1'],
    });
    startAgent(coord.url, await admin.token('provider'), {
      name: 'b',
      extraArgs: ['--ask-cpu', '3'],
    });
    const account = (await requester.get('/v1/whoami')).body.accountId as number;
    await credit(admin, account, CREDIT, 'before-kills');

    const ids: number[] = [];
    for (const tier of ['economy', 'standard', 'priority'] as const) {
      const job = await submitPrimes(
        requester,
        primeRanges(150, 20_000),
        pricedPolicy(tier, { redundancy: 2 }),
      );
      ids.push(job.id);
    }
    const validSoFar = async () => {
      let n = 0;
      for (const id of ids) n += (await requester.get(`/v1/jobs/${id}`)).body.progress.valid;
      return n;
    };
    let kills = 0;
    for (const target of [20, 80, 160, 260]) {
      await waitFor(`${target} results`, async () => (await validSoFar()) >= target, 120_000, 10);
      coord = await ctx.restart();
      requester = client(coord.url, requesterToken);
      kills++;
      if (kills === 2) {
        // A cancel between two kills: its refund must be exact too. The economy job, served
        // last: the priority job may have ended by now (agents report their buffered work
        // at once when the coordinator is back).
        expect((await requester.post(`/v1/jobs/${ids[0]}/cancel`)).status).toBe(200);
      }
    }
    for (const id of ids) await waitForJob(requester, id, 240_000);

    const check = await expectLedgerHolds(client(coord.url, coord.adminToken));
    const facts = paidFacts(ctx.dataDir, ids);
    expect(facts.paidTwice).toEqual([]);
    expect(facts.byState.filter((r) => r.validation !== 'valid' && r.paid === 1)).toEqual([]);
    for (const s of facts.spent) expect(s.reserved - s.spent - s.refunded).toBe(0);
    const spent = facts.spent.reduce((n, s) => n + s.spent, 0);
    expect(spent).toBeGreaterThan(0);
    const statement = (await requester.get('/v1/statement')).body;
    expect(statement.balances.balance).toBe(CREDIT - spent);
    console.log(
      `coordinator killed ${kills} times: ${check.paidReplicas} replicas paid once, requester spent ${spent} µ`,
    );
  });
});
