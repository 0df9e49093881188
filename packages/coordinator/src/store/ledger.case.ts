/**
 * @module
 * The ledger on every store (docs/incentives.md): money requests once per key, a paid
 * job's reserve refused or taken whole, each validated replica paid its host's ask once
 * and no other, exact refunds when a job ends or is cancelled, a re-check taking back a
 * payment, a staked cheat slashed, statements and payouts; the invariant check after each.
 */

import { type AnygridError, ErrorCode, type JobPolicyInput } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { ReadyQueue } from '../policy/index.js';
import { host, job, ok } from './store.case.js';
import type { ChangeSet, MoneyMove, Principal, Store, StoreRules } from './store.js';

const ADMIN: Principal = { accountId: 0, account: 'admin', role: 'admin' };
const ASKS = { cpuSecond: 1000, memGiBSecond: 0, gpuSecond: 0 };
/** Each replica reports 2 s at the reference speed: 2000 µ to the host, 300 to fees (standard, 5 %). */
const HOST_PAY = 2000;
const CHARGE = 2300;
/** A replica's most: the 10 s wall-time limit at the ceiling: 11 500; maxTotal 4 by default. */
const PER_REPLICA_MAX = 11_500;

function paid(extra: JobPolicyInput = {}): JobPolicyInput {
  return {
    limits: { wallTimeMs: 10_000 },
    pricing: { ceiling: ASKS, tier: 'standard' },
    ...extra,
  };
}

async function setup(open: (rules: StoreRules) => Promise<Store>, rules: StoreRules = {}) {
  const store = await open({ slashPercent: 10, ...rules });
  const queue = new ReadyQueue();
  const feed = (c: ChangeSet) => queue.push(c.ready);
  const owner = await store.createToken('requester', 'req', `r-${Math.random()}`, undefined, 0);
  let clock = 1000;
  const now = () => ++clock;
  const provider = async (name: string) => {
    const p = await store.createToken('provider', name, `${name}-${Math.random()}`, undefined, 0);
    const id = await store.registerHost(p.accountId, { ...host, name, asks: ASKS }, now());
    return { id, account: p.accountId };
  };
  const credit = (account: number, amount: number, key: string): MoneyMove => ({
    kind: 'credit',
    account,
    amount,
    idempotencyKey: key,
    from: 'external',
    to: 'balance',
  });
  /** Pulls one replica for the host and reports it with the digest; returns its id or undefined. */
  const run = async (hostId: number, digest = 'd', beforeReport?: () => Promise<void>) => {
    const [a] = await store.assignReplicas(hostId, queue.take(hostId, 1), now());
    if (!a) return undefined;
    await beforeReport?.();
    const report: VerifiedReport = { ...ok(a.replicaId, digest), durationMs: 2000 };
    feed((await store.applyReports(hostId, [report], now())).changes);
    return a.replicaId;
  };
  const submit = async (tasks: number, policy: JobPolicyInput) => {
    const created = await store.createJob(owner.accountId, job(tasks, policy), now());
    feed(created.changes);
    return created.job.id;
  };
  const expectCheck = async () => {
    const check = await store.ledgerCheck();
    expect(check.problems).toEqual([]);
    expect(check.ok).toBe(true);
    return check;
  };
  return { store, owner, now, provider, credit, run, submit, feed, expectCheck };
}

type VerifiedReport = Parameters<Store['applyReports']>[1][number];

export function describeLedger(name: string, open: (rules: StoreRules) => Promise<Store>): void {
  describe(`${name} ledger`, () => {
    it('credits once per idempotency key, answers a replay the same, refuses a reused key', async () => {
      const t = await setup(open);
      const first = await t.store.moveMoney(t.credit(t.owner.accountId, 5000, 'k1'), t.now());
      const again = await t.store.moveMoney(t.credit(t.owner.accountId, 5000, 'k1'), t.now());
      expect(again).toEqual(first);
      expect(first.balance).toBe(5000);
      expect((await t.store.balances(t.owner.accountId)).balance).toBe(5000);
      const reused = await t.store
        .moveMoney(t.credit(t.owner.accountId, 7000, 'k1'), t.now())
        .catch((e: AnygridError) => e);
      expect((reused as AnygridError).code).toBe(ErrorCode.IDEMPOTENCY_KEY_REUSED);
      const check = await t.expectCheck();
      expect(check.totals).toMatchObject({ balance: 5000, external: -5000 });
      await t.store.close();
    });

    it('refuses a paid job the balance cannot cover, writing nothing; reserves the whole maximum otherwise', async () => {
      const t = await setup(open);
      const needed = 2 * 4 * PER_REPLICA_MAX;
      await t.store.moveMoney(t.credit(t.owner.accountId, needed - 1, 'c'), t.now());
      const refused = await t.submit(2, paid()).catch((e: AnygridError) => e);
      expect(refused).toMatchObject({
        code: ErrorCode.INSUFFICIENT_BALANCE,
        details: { balance: needed - 1, needed },
      });
      expect(await t.store.listJobs(t.owner, 10)).toEqual([]);
      expect((await t.store.balances(t.owner.accountId)).balance).toBe(needed - 1);
      await t.store.moveMoney(t.credit(t.owner.accountId, 1, 'c2'), t.now());
      await t.submit(2, paid());
      expect((await t.store.balances(t.owner.accountId)).balance).toBe(0);
      // A budget below the maximum reserves only the budget.
      await t.store.moveMoney(t.credit(t.owner.accountId, 500, 'c3'), t.now());
      await t.submit(2, paid({ pricing: { ceiling: ASKS, tier: 'standard', budget: 400 } }));
      expect((await t.store.balances(t.owner.accountId)).balance).toBe(100);
      await t.expectCheck();
      await t.store.close();
    });

    it('pays each validated replica its ask once, not the invalid one, and refunds the rest exactly at the end', async () => {
      const t = await setup(open);
      const [a, b, c] = [await t.provider('a'), await t.provider('b'), await t.provider('c')];
      const reserve = 1 * 4 * PER_REPLICA_MAX;
      await t.store.moveMoney(t.credit(t.owner.accountId, reserve + 7, 'c'), t.now());
      const jobId = await t.submit(1, paid({ redundancy: 3, quorum: 2, maxTotal: 4 }));
      await t.run(a.id, 'good');
      await t.run(c.id, 'bad');
      await t.run(b.id, 'good');
      expect(await t.store.getJob(jobId, t.owner)).toMatchObject({ state: 'completed' });
      expect((await t.store.balances(a.account)).earnings).toBe(HOST_PAY);
      expect((await t.store.balances(b.account)).earnings).toBe(HOST_PAY);
      expect((await t.store.balances(c.account)).earnings).toBe(0);
      // Two replicas charged, the rest of the reserve back: the balance is exact.
      expect((await t.store.balances(t.owner.accountId)).balance).toBe(reserve + 7 - 2 * CHARGE);
      const check = await t.expectCheck();
      expect(check.paidReplicas).toBe(2);
      expect(check.totals).toMatchObject({ fees: 2 * (CHARGE - HOST_PAY), escrow: 0 });
      const statement = await t.store.statement(a.account, 0, 100);
      expect(statement.entries).toEqual([
        expect.objectContaining({
          kind: 'payment',
          ledgerAccount: 'earnings',
          amount: HOST_PAY,
          jobId,
        }),
      ]);
      await t.store.close();
    });

    it('pays the ask at validation time, capped by the ceiling per unit', async () => {
      const t = await setup(open);
      const a = await t.provider('a');
      await t.store.moveMoney(t.credit(t.owner.accountId, 1e9, 'c'), t.now());
      await t.submit(2, paid());
      // A heartbeat's update raises the ask past the ceiling (1000 µ per CPU-second) while
      // the host runs a replica (no new work goes to it at that ask: the ceiling rules it out).
      await t.run(a.id, 'd', async () => {
        await t.store.updateHost(a.id, {
          asks: { cpuSecond: 5000, memGiBSecond: 0, gpuSecond: 0 },
        });
        const view = await t.store.getHost(a.id, ADMIN, t.now());
        expect(view?.asks).toEqual({ cpuSecond: 5000, memGiBSecond: 0, gpuSecond: 0 });
      });
      expect((await t.store.balances(a.account)).earnings).toBe(HOST_PAY);
      // Lowered below the ceiling, the next validation pays the lower ask: 2 s × 400 µ.
      await t.store.updateHost(a.id, { asks: { cpuSecond: 400, memGiBSecond: 0, gpuSecond: 0 } });
      await t.run(a.id);
      expect((await t.store.balances(a.account)).earnings).toBe(HOST_PAY + 800);
      await t.expectCheck();
      await t.store.close();
    });

    it('a cancel mid-job refunds exactly the unspent escrow', async () => {
      const t = await setup(open);
      const a = await t.provider('a');
      const reserve = 3 * 4 * PER_REPLICA_MAX;
      await t.store.moveMoney(t.credit(t.owner.accountId, reserve, 'c'), t.now());
      const jobId = await t.submit(3, paid());
      await t.run(a.id);
      await t.store.cancelJob(jobId, t.now());
      expect((await t.store.balances(t.owner.accountId)).balance).toBe(reserve - CHARGE);
      expect((await t.store.balances(a.account)).earnings).toBe(HOST_PAY);
      await t.expectCheck();
      await t.store.close();
    });

    it('takes back the pay of a result a re-check overturns, and slashes the staked cheat', async () => {
      const t = await setup(open, { slashPercent: 10 });
      const cheat = await t.provider('cheat');
      const b = await t.provider('b');
      const c = await t.provider('c');
      await t.store.moveMoney(t.credit(cheat.account, 10_000, 'seed'), t.now());
      const staked = await t.store.moveMoney(
        {
          kind: 'stake',
          account: cheat.account,
          amount: 10_000,
          idempotencyKey: 's1',
          from: 'balance',
          to: 'stake',
        },
        t.now(),
      );
      expect(staked.balance).toBe(10_000);
      await t.store.moveMoney(t.credit(t.owner.accountId, 1e9, 'c'), t.now());
      const good = 'd'.repeat(64);
      const validation = {
        mode: 'spot-check' as const,
        rate: 0,
        knownAnswers: [{ index: 1, digest: good }],
      };
      const jobId = await t.submit(3, paid({ validation }));
      // Task 0 accepted alone and paid; task 1's known answer catches the cheat.
      await t.run(cheat.id, 'bad');
      expect((await t.store.balances(cheat.account)).earnings).toBe(HOST_PAY);
      await t.run(cheat.id, 'bad');
      for (let i = 0; i < 10; i++) await t.run(i % 2 === 0 ? b.id : c.id, good);
      expect(await t.store.getJob(jobId, t.owner)).toMatchObject({ state: 'completed' });
      const money = await t.store.balances(cheat.account);
      expect(money.earnings).toBe(0);
      expect(money.stake).toBe(9000);
      const view = await t.store.getHost(cheat.id, ADMIN, t.now());
      expect(view).toMatchObject({ stake: 9000, asks: ASKS, replicas: { invalid: 2 } });
      const kinds = (await t.store.statement(cheat.account, 0, 100)).entries.map((e) => e.kind);
      expect(kinds).toEqual(['credit', 'stake', 'stake', 'payment', 'slash', 'reversal']);
      await t.expectCheck();
      await t.store.close();
    });

    it('lists what providers earned since a cursor and marks a payout once per key', async () => {
      const t = await setup(open);
      const a = await t.provider('a');
      await t.store.moveMoney(t.credit(t.owner.accountId, 1e9, 'c'), t.now());
      await t.submit(2, paid());
      await t.run(a.id);
      const first = await t.store.payouts(0);
      expect(first.providers).toEqual([
        { account: a.account, earned: HOST_PAY, earnings: HOST_PAY },
      ]);
      await t.run(a.id);
      const next = await t.store.payouts(first.cursor);
      expect(next.providers).toEqual([
        { account: a.account, earned: HOST_PAY, earnings: 2 * HOST_PAY },
      ]);
      const payout: MoneyMove = {
        kind: 'payout',
        account: a.account,
        amount: 3000,
        idempotencyKey: 'p1',
        from: 'earnings',
        to: 'external',
      };
      await t.store.moveMoney(payout, t.now());
      await t.store.moveMoney(payout, t.now());
      expect((await t.store.balances(a.account)).earnings).toBe(2 * HOST_PAY - 3000);
      const over = await t.store
        .moveMoney({ ...payout, idempotencyKey: 'p2' }, t.now())
        .catch((e: AnygridError) => e);
      expect((over as AnygridError).code).toBe(ErrorCode.INSUFFICIENT_BALANCE);
      await t.expectCheck();
      await t.store.close();
    });
  });
}
