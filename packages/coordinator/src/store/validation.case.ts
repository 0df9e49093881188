/**
 * @module
 * The validation modes, catches, re-checks and placement rules as every `Store` adapter
 * must apply them, driven through the store's verbs with explicit clocks (the
 * scheduler's queue in miniature feeds assignments, as in store.case.ts).
 */

import { describe, expect, it } from 'vitest';
import { ReadyQueue, type ReadyReplica, STAKE_UNIT } from '../policy/index.js';
import { host, job, ok } from './store.case.js';
import type { ChangeSet, Placement, Principal, Store } from './store.js';
import type { MoneyMove } from './store-data.js';

/** Opens a fresh store whose adaptive chances come from `random`. */
export type OpenWithRandom = (random: () => number) => Promise<Store>;

async function setup(open: OpenWithRandom, random: () => number = () => 0.5) {
  const store = await open(random);
  const queue = new ReadyQueue();
  const feed = (c: ChangeSet) => queue.push(c.ready as ReadyReplica[]);
  const owner = await store.createToken('requester', 'req', `r${Math.random()}`, undefined, 0);
  const provider = async (name: string, platform = 'linux-x64') => {
    const account = await store.createToken('provider', name, `p-${name}`, undefined, 0);
    return store.registerHost(account.accountId, { ...host, name, platform }, 0);
  };
  let clock = 10;
  /** Pulls up to `max` replicas for the host, a second after the last pull. */
  const pull = async (hostId: number, max = 1, placement?: Placement) => {
    clock += 1000;
    const picks = queue.take(hostId, max);
    const got = await store.assignReplicas(hostId, picks, clock, placement);
    const sent = new Set(got.map((a) => a.replicaId));
    queue.push(picks.filter((p) => !sent.has(p.replicaId)));
    return got;
  };
  const report = async (hostId: number, replicaId: number, digest: string) => {
    clock += 1000;
    const r = await store.applyReports(hostId, [ok(replicaId, digest)], clock);
    feed(r.changes);
    return r;
  };
  /** Runs one replica of the host: pull it, report `digest`. */
  const run = async (hostId: number, digest: string) => {
    const [a] = await pull(hostId);
    if (!a) throw new Error(`host ${hostId} got no work`);
    await report(hostId, a.replicaId, digest);
    return a;
  };
  const now = () => clock;
  return { store, owner: owner as Principal, provider, pull, report, run, feed, queue, now };
}

export function describeValidation(name: string, open: OpenWithRandom): void {
  describe(`${name} store, validation`, () => {
    it('adaptive: checks a newcomer on every task, then lets a trusted host go alone', async () => {
      const t = await setup(open, () => 0.99);
      const a = await t.provider('a');
      const b = await t.provider('b');
      const created = await t.store.createJob(
        t.owner.accountId,
        // Two accounts: one partner must do (the partner rule has a case of its own).
        job(6, { validation: { mode: 'adaptive', warmup: 2, floor: 0.05, partners: 1 } }),
        0,
      );
      t.feed(created.changes);
      const id = created.job.id;
      // Two tasks each: a ran first, b checked.
      for (let i = 0; i < 2; i++) {
        const [sent] = await t.pull(a);
        if (!sent) throw new Error('a got no work');
        const { changes } = await t.report(a, sent.replicaId, 'd');
        // The check continues no checkpoint chain: its assignment looks for none.
        expect(changes.ready).toMatchObject([
          { taskId: sent.taskId, reissue: true, mayResume: false },
        ]);
        const first = sent;
        expect(await t.store.listResults(id, 0, 10)).toHaveLength(i);
        const check = await t.run(b, 'd');
        expect(check.taskId).toBe(first.taskId);
      }
      expect(await t.store.listResults(id, 0, 10)).toHaveLength(2);
      // a has two confirmed results in a row: trusted, and drawn 0.99 > q, so alone.
      const alone = await t.run(a, 'd');
      const results = await t.store.listResults(id, 0, 10);
      expect(results.map((r) => r.taskId)).toContain(alone.taskId);
      expect(results).toHaveLength(3);
      await t.store.close();
    });

    it('adaptive: a staked host is trusted after a shorter warm-up, an unstaked one is not', async () => {
      const t = await setup(open, () => 0.99);
      const richAccount = await t.store.createToken('provider', 'rich', 'p-rich', undefined, 0);
      const rich = await t.store.registerHost(richAccount.accountId, { ...host, name: 'rich' }, 0);
      const plain = await t.provider('plain');
      const checker = await t.provider('checker');
      // One unit of stake halves the warm-up of 4: two confirmed results make it trusted.
      const move = (kind: 'credit' | 'stake', key: string): MoneyMove => ({
        kind,
        account: richAccount.accountId,
        amount: STAKE_UNIT,
        idempotencyKey: key,
        from: kind === 'credit' ? 'external' : 'balance',
        to: kind === 'credit' ? 'balance' : 'stake',
      });
      await t.store.moveMoney(move('credit', 'c'), t.now());
      await t.store.moveMoney(move('stake', 's'), t.now());
      // One checker's account is enough partners here: the case is about the warm-up.
      const validation = { mode: 'adaptive' as const, warmup: 4, trustedWaitMs: 0, partners: 1 };
      const created = await t.store.createJob(t.owner.accountId, job(8, { validation }), 0);
      t.feed(created.changes);
      const id = created.job.id;
      const settled = async (taskId: number) =>
        (await t.store.listResults(id, 0, 20)).some((r) => r.taskId === taskId);
      for (const h of [rich, plain]) {
        for (let i = 0; i < 2; i++) {
          const first = await t.run(h, 'd');
          expect(await settled(first.taskId)).toBe(false);
          expect((await t.run(checker, 'd')).taskId).toBe(first.taskId);
        }
      }
      // Both have two confirmed results: the staked host's next task settles alone…
      expect(await settled((await t.run(rich, 'd')).taskId)).toBe(true);
      // …the unstaked one's waits for a check, as its warm-up of 4 is not done.
      expect(await settled((await t.run(plain, 'd')).taskId)).toBe(false);
      const admin = { accountId: 0, account: 'admin', role: 'admin' as const };
      expect((await t.store.getHost(rich, admin, t.now()))?.warmupShare).toBe(0.5);
      await t.store.close();
    });

    it('adaptive: a check waits for a trusted host before a newcomer may take it', async () => {
      const t = await setup(open, () => 0.99);
      const a = await t.provider('a');
      const b = await t.provider('b');
      const newcomer = await t.provider('n');
      const other = await t.provider('n2');
      const validation = {
        mode: 'adaptive' as const,
        warmup: 1,
        trustedWaitMs: 5000,
        partners: 1,
      };
      const created = await t.store.createJob(t.owner.accountId, job(3, { validation }), 0);
      t.feed(created.changes);
      // Nobody is trusted yet: b checks a at once.
      await t.run(a, 'd');
      await t.run(b, 'd');
      // a and b are trusted now; the newcomer's result needs a check, which waits for them.
      await t.run(newcomer, 'd');
      const placement: Placement = { deferred: [], quarantined: false };
      expect(await t.pull(other, 1, placement)).toEqual([]);
      expect(placement.deferred).toHaveLength(1);
      const [check] = await t.pull(a);
      expect(check).toBeDefined();
      await t.store.close();
    });

    it('adaptive: a pair that confirms only itself stays untrusted; three accounts make a host trusted', async () => {
      const t = await setup(open, () => 0.99);
      const hosts: number[] = [];
      for (const name of ['a', 'b', 'c', 'd', 'e']) hosts.push(await t.provider(name));
      const [a, b, c, d, e] = hosts as [number, number, number, number, number];
      // The default `partners`, 3; every record is read back from the store between reports.
      const validation = { mode: 'adaptive' as const, warmup: 2, trustedWaitMs: 0 };
      const created = await t.store.createJob(t.owner.accountId, job(30, { validation }), 0);
      t.feed(created.changes);
      const id = created.job.id;
      /** `first` runs a fresh task and `check` checks it, unless it settled on the first result alone. */
      const task = async (first: number, check: number) => {
        const sent = await t.run(first, 'd');
        const settled = await t.store.listResults(id, 0, 100);
        if (settled.some((r) => r.taskId === sent.taskId)) return 'alone';
        const checked = await t.run(check, 'd');
        expect(checked.taskId).toBe(sent.taskId);
        return 'checked';
      };
      // The pair checks each other four times the warm-up: never trusted.
      for (let i = 0; i < 4; i++) {
        expect(await task(a, b)).toBe('checked');
        expect(await task(b, a)).toBe('checked');
      }
      // a is confirmed by c: two accounts; by d: three, and its next task goes alone.
      expect(await task(a, c)).toBe('checked');
      expect(await task(a, d)).toBe('checked');
      expect(await task(a, e)).toBe('alone');
      // b has two partners (a, e): still checked.
      expect(await task(b, e)).toBe('checked');
      expect(await task(b, e)).toBe('checked');
      await t.store.close();
    });

    it('spot-check: a result that differs from a known answer is caught and its other results re-checked', async () => {
      const t = await setup(open, () => 0.99);
      const cheat = await t.provider('cheat');
      const b = await t.provider('b');
      const c = await t.provider('c');
      const validation = {
        mode: 'spot-check' as const,
        rate: 0,
        knownAnswers: [{ index: 1, digest: 'd'.repeat(64) }],
      };
      const created = await t.store.createJob(t.owner.accountId, job(3, { validation }), 0);
      t.feed(created.changes);
      const id = created.job.id;
      const good = 'd'.repeat(64);
      // Task 0: accepted alone (rate 0), wrong.
      await t.run(cheat, 'bad');
      const [first] = await t.store.listResults(id, 0, 10);
      expect(first).toMatchObject({ index: 0, outcome: 'valid' });
      // Task 1 has a known answer: the cheat is caught, nothing settles.
      await t.run(cheat, 'bad');
      expect(await t.store.listResults(id, 0, 10)).toHaveLength(1);
      // Honest hosts run what is left: task 1 again, task 0's re-check, task 2.
      for (let i = 0; i < 10; i++) {
        const host = i % 2 === 0 ? b : c;
        const [a] = await t.pull(host);
        if (a) await t.report(host, a.replicaId, good);
      }
      const results = await t.store.listResults(id, 0, 10);
      expect(results.map((r) => r.index).sort()).toEqual([0, 1, 2]);
      expect(results.find((r) => r.index === 0)).toMatchObject({ corrected: true });
      expect(results.find((r) => r.index === 1)?.corrected).toBeUndefined();
      expect(await t.store.getJob(id, t.owner)).toMatchObject({ state: 'completed' });
      // The host's counts show both wrong results: the failed known answer and the
      // re-checked one it had slipped through alone.
      const admin: Principal = { accountId: 0, account: 'admin', role: 'admin' };
      const counts = (await t.store.getHost(cheat, admin, t.now()))?.replicas;
      expect(counts).toMatchObject({ valid: 0, invalid: 2, alone: 0 });
      await t.store.close();
    });

    it('spot-check: a wrong known answer judges nobody; two accounts agreeing against it end the task no_consensus', async () => {
      const t = await setup(open, () => 0.99);
      const a = await t.provider('a');
      const b = await t.provider('b');
      const validation = {
        mode: 'spot-check' as const,
        rate: 0,
        knownAnswers: [{ index: 0, digest: 'k'.repeat(64) }],
      };
      const created = await t.store.createJob(t.owner.accountId, job(1, { validation }), 0);
      t.feed(created.changes);
      // a differs from the known answer: not yet held against it; the task asks another host.
      await t.run(a, 'right');
      expect(await t.store.listResults(created.job.id, 0, 10)).toEqual([]);
      await t.run(b, 'right');
      const [result] = await t.store.listResults(created.job.id, 0, 10);
      expect(result).toMatchObject({ index: 0, outcome: 'no_consensus' });
      const admin: Principal = { accountId: 0, account: 'admin', role: 'admin' };
      for (const h of [a, b]) {
        const view = await t.store.getHost(h, admin, t.now());
        expect(view?.replicas.invalid).toBe(0);
        expect(view?.quarantine ?? null).toBeNull();
      }
      await t.store.close();
    });

    it('none accepts the first success, and replicate keeps redundancy', async () => {
      const t = await setup(open);
      const a = await t.provider('a');
      const none = await t.store.createJob(
        t.owner.accountId,
        job(1, { validation: { mode: 'none' } }),
        0,
      );
      t.feed(none.changes);
      await t.run(a, 'x');
      expect(await t.store.listResults(none.job.id, 0, 10)).toMatchObject([{ outcome: 'valid' }]);
      await t.store.close();
    });

    it('a catch strikes the host, re-checks what it confirmed and corrects a changed result', async () => {
      const t = await setup(open);
      const cheat = await t.provider('cheat');
      const accomplice = await t.provider('accomplice');
      const b = await t.provider('b');
      const c = await t.provider('c');
      const created = await t.store.createJob(t.owner.accountId, job(2, { redundancy: 2 }), 0);
      t.feed(created.changes);
      const id = created.job.id;
      // Task 1: both replicas to the pair, who agree on a wrong output.
      const [x] = await t.pull(cheat);
      const [y] = await t.pull(accomplice);
      expect(y?.taskId).toBe(x?.taskId);
      await t.report(cheat, x!.replicaId, 'bad');
      await t.report(accomplice, y!.replicaId, 'bad');
      const [wrong] = await t.store.listResults(id, 0, 10);
      expect(wrong).toMatchObject({ taskId: x!.taskId, outcome: 'valid' });
      // Task 2: the cheat against an honest host, a third breaks the tie: caught.
      const [x2] = await t.pull(cheat);
      const [b2] = await t.pull(b);
      await t.report(cheat, x2!.replicaId, 'bad');
      await t.report(b, b2!.replicaId, 'd');
      const [c2] = await t.pull(c);
      expect(c2?.taskId).toBe(x2!.taskId);
      await t.report(c, c2!.replicaId, 'd');
      // Task 1 was reopened without the cheat's replica: pending again, and its result
      // stays in the stream, in its place, until it settles again.
      const view = await t.store.getJob(id, t.owner);
      expect(view).toMatchObject({ state: 'running', progress: { valid: 1, pending: 1 } });
      const meanwhile = await t.store.listResults(id, 0, 10);
      expect(meanwhile.map((r) => [r.taskId, r.cursor])).toEqual([
        [x!.taskId, wrong!.cursor],
        [x2!.taskId, meanwhile[1]!.cursor],
      ]);
      // Honest hosts re-run it; the accomplice is outvoted.
      await t.run(b, 'd');
      await t.run(c, 'd');
      const results = await t.store.listResults(id, 0, 10);
      // The corrected result has a later cursor; the wrong one is gone from the stream.
      expect(results.filter((r) => r.taskId === x!.taskId)).toHaveLength(1);
      const corrected = results.find((r) => r.taskId === x!.taskId);
      expect(corrected).toMatchObject({ outcome: 'valid', corrected: true });
      expect(corrected!.cursor).toBeGreaterThan(wrong!.cursor);
      const encoded = await t.store.listEncodedResults(id, 0, 10);
      expect(encoded.map((e) => JSON.parse(e.json))).toEqual(results);
      expect(await t.store.getJob(id, t.owner)).toMatchObject({
        state: 'completed',
        progress: { valid: 2, pending: 0 },
      });
      // The counts follow the verdicts: the pair's wrong results of task 1, accepted at
      // first, are invalid now, and the hosts that outvoted them count valid.
      const admin: Principal = { accountId: 0, account: 'admin', role: 'admin' };
      const counts = async (h: number) => (await t.store.getHost(h, admin, t.now()))?.replicas;
      expect(await counts(cheat)).toMatchObject({ valid: 0, invalid: 2 });
      expect(await counts(accomplice)).toMatchObject({ valid: 0, invalid: 1 });
      expect(await counts(b)).toMatchObject({ valid: 2, invalid: 0 });
      expect(await counts(c)).toMatchObject({ valid: 2, invalid: 0 });
      await t.store.close();
    });

    it('quarantines a host at its third strike, and it gets no more work', async () => {
      const t = await setup(open);
      const cheat = await t.provider('cheat');
      const b = await t.provider('b');
      const c = await t.provider('c');
      const created = await t.store.createJob(t.owner.accountId, job(4, { redundancy: 2 }), 0);
      t.feed(created.changes);
      for (let i = 0; i < 3; i++) {
        const placement: Placement = { deferred: [], quarantined: false };
        const [x] = await t.pull(cheat, 1, placement);
        expect(placement.quarantined).toBe(false);
        await t.report(cheat, x!.replicaId, 'bad');
        await t.run(b, 'd');
        await t.run(c, 'd');
      }
      const placement: Placement = { deferred: [], quarantined: false };
      expect(await t.pull(cheat, 1, placement)).toEqual([]);
      expect(placement.quarantined).toBe(true);
      expect(placement.deferred.length).toBe(1);

      // An admin's release also clears its strikes: one more catch does not quarantine it again.
      expect(await t.store.releaseHost(cheat, t.now())).toMatchObject({ released: true });
      const [x] = await t.pull(cheat);
      await t.report(cheat, x!.replicaId, 'bad');
      await t.run(b, 'd');
      await t.run(c, 'd');
      const admin: Principal = { accountId: 0, account: 'admin', role: 'admin' };
      expect((await t.store.getHost(cheat, admin, t.now()))?.quarantine).toBeNull();
      await t.store.close();
    });

    it('adaptive: a checking replica never goes to a host of the account of the host it checks', async () => {
      const t = await setup(open, () => 0.99);
      const shared = await t.store.createToken('provider', 'shared', 'p-shared', undefined, 0);
      const a = await t.store.registerHost(shared.accountId, { ...host, name: 'a' }, 0);
      const a2 = await t.store.registerHost(shared.accountId, { ...host, name: 'a2' }, 0);
      const c = await t.provider('c');
      const validation = { mode: 'adaptive' as const, warmup: 3 };
      const created = await t.store.createJob(t.owner.accountId, job(1, { validation }), 0);
      t.feed(created.changes);
      // a is not trusted: its result waits for a check, which a2 (one owner) may not take.
      const first = await t.run(a, 'd');
      const placement: Placement = { deferred: [], apart: [], quarantined: false };
      expect(await t.pull(a2, 1, placement)).toEqual([]);
      expect(placement.deferred).toHaveLength(1);
      expect(placement.apart).toEqual(placement.deferred.map((p) => p.replicaId));
      const [check] = await t.pull(c);
      expect(check?.taskId).toBe(first.taskId);
      await t.store.close();
    });

    it('homogeneous: a task\u2019s replicas stay on the platform of its first host', async () => {
      const t = await setup(open);
      const x64 = await t.provider('x64');
      const arm = await t.provider('arm', 'linux-arm64');
      const x64b = await t.provider('x64b');
      const created = await t.store.createJob(
        t.owner.accountId,
        job(1, { redundancy: 2, homogeneous: true }),
        0,
      );
      t.feed(created.changes);
      await t.pull(x64);
      const placement: Placement = { deferred: [], quarantined: false };
      expect(await t.pull(arm, 1, placement)).toEqual([]);
      expect(placement.deferred).toHaveLength(1);
      expect(await t.pull(x64b)).toHaveLength(1);
      await t.store.close();
    });

    it('never sends a task\u2019s replicas to two hosts in the same instant, and caps a newcomer', async () => {
      const t = await setup(open);
      const a = await t.provider('a');
      const b = await t.provider('b');
      const created = await t.store.createJob(t.owner.accountId, job(10, { redundancy: 2 }), 0);
      const picks = created.changes.ready;
      const first = await t.store.assignReplicas(a, picks, 5);
      // Four replicas at most, one per task: a has no record.
      expect(first.map((x) => x.taskId)).toEqual([1, 2, 3, 4]);
      const placement: Placement = { deferred: [], quarantined: false };
      const rest = picks.filter((p) => !first.some((f) => f.replicaId === p.replicaId));
      const same = rest.filter((p) => p.taskId <= 4);
      expect(await t.store.assignReplicas(b, same, 105, placement)).toEqual([]);
      expect(placement.deferred).toHaveLength(same.length);
      expect(await t.store.assignReplicas(b, same, 5 + 1000)).toHaveLength(4);
      await t.store.close();
    });

    it('adaptive: a newcomer holds no more of a job than its warm-up', async () => {
      const t = await setup(open);
      const a = await t.provider('a');
      const b = await t.provider('b');
      // 2 % of 1000 tasks is 20 (what a replicated job allows); the warm-up is 8.
      const adaptive = await t.store.createJob(
        t.owner.accountId,
        job(1000, { validation: { mode: 'adaptive', warmup: 8 } }),
        0,
      );
      const replicated = await t.store.createJob(
        t.owner.accountId,
        job(1000, { redundancy: 2 }),
        0,
      );
      const firstOf = (c: ChangeSet) =>
        c.ready.filter((r, i, all) => all[i - 1]?.taskId !== r.taskId).slice(0, 30);
      // A buffer deep enough that the host's in-flight bound is not what stops it.
      const buffer = { bufferSeconds: 60 };
      const placement: Placement = { deferred: [], quarantined: false };
      const sent = await t.store.assignReplicas(a, firstOf(adaptive.changes), 5, placement, buffer);
      expect(sent).toHaveLength(8);
      expect(placement.deferred).toHaveLength(22);
      // What it holds counts: nothing more until some come back.
      expect(await t.store.assignReplicas(a, placement.deferred, 6, undefined, buffer)).toEqual([]);
      await t.report(a, (sent[0] as { replicaId: number }).replicaId, 'd');
      expect(
        await t.store.assignReplicas(a, placement.deferred, 7, undefined, buffer),
      ).toHaveLength(1);
      expect(
        await t.store.assignReplicas(b, firstOf(replicated.changes), 5, undefined, buffer),
      ).toHaveLength(20);
      await t.store.close();
    });
  });
}
