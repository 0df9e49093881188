/**
 * @module
 * Volunteer credit in every `Store` adapter, as one behavioural suite: grants only for
 * validated replicas, the lowest claim of the quorum given to each, once per replica,
 * totals and recent averages per host, account and team, teams, and the leaderboard.
 */

import {
  ConflictError,
  CREDIT_HALF_LIFE_MS,
  CREDIT_MICROS,
  NotFoundError,
  REFERENCE_SPEED,
} from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { picksOf } from './host-rules.case.js';
import { host, job, ok } from './store.case.js';
import type { Store, StoreRules } from './store.js';

const T0 = Date.UTC(2026, 11, 1);
const SPEED = 2 * REFERENCE_SPEED;

/** A store with a requester and a way to add hosts of `SPEED`, each of its own account. */
async function withCredit(openStore: (rules: StoreRules) => Promise<Store>) {
  const store = await openStore({});
  const owner = await store.createToken('requester', 'req', 'r', undefined, T0);
  let n = 0;
  const addHost = async (name?: string) => {
    n++;
    const account = (await store.createToken('provider', `prov${n}`, `p${n}`, undefined, T0))
      .accountId;
    const id = await store.registerHost(
      account,
      { ...host, name: name ?? `h${n}`, speed: SPEED },
      T0,
      { address: `198.51.${n}.7` },
    );
    return { id, account };
  };
  return { store, owner, addHost };
}

const report = (replicaId: number, durationMs: number, digest = 'd') => ({
  ...ok(replicaId, digest),
  durationMs,
});

/** Micro-credits for `ms` of CPU on a host of `SPEED`. */
const microsFor = (ms: number) =>
  Math.floor((ms / 1000) * (SPEED / REFERENCE_SPEED) * CREDIT_MICROS);

export function describeCredit(
  name: string,
  openStore: (rules: StoreRules) => Promise<Store>,
): void {
  describe(`${name} store: volunteer credit`, () => {
    it('grants both replicas of a quorum the lower claim: a host claiming 100× the time gains nothing', async () => {
      const { store, owner, addHost } = await withCredit(openStore);
      const honest = await addHost();
      const inflater = await addHost();
      const { changes } = await store.createJob(owner.accountId, job(1, { redundancy: 2 }), T0);
      const [a, b] = changes.ready;
      await store.assignReplicas(honest.id, picksOf([a!]), T0);
      // A task's second replica goes out once its first has run a while (SPREAD_MS).
      expect(await store.assignReplicas(inflater.id, picksOf([b!]), T0 + 5000)).toHaveLength(1);
      // Both held the task a minute on the coordinator's clock.
      await store.applyReports(inflater.id, [report(b!.replicaId, 100_000)], T0 + 60_000);
      // Not validated yet: no credit.
      expect((await store.creditStanding('host', inflater.id, T0 + 60_000)).totalMicro).toBe(0);
      await store.applyReports(honest.id, [report(a!.replicaId, 1000)], T0 + 60_000);
      const grant = microsFor(1000);
      for (const h of [honest, inflater]) {
        expect((await store.creditStanding('host', h.id, T0 + 60_000)).totalMicro).toBe(grant);
        expect((await store.creditStanding('account', h.account, T0 + 60_000)).totalMicro).toBe(
          grant,
        );
      }
      // Reporting the same replica again changes nothing.
      await store.applyReports(honest.id, [report(a!.replicaId, 1000)], T0 + 61_000);
      expect((await store.creditStanding('host', honest.id, T0 + 61_000)).totalMicro).toBe(grant);
      await store.close();
    });

    it('gives an invalid replica nothing, and the task’s grant to the replica that outvoted it', async () => {
      const { store, owner, addHost } = await withCredit(openStore);
      const [h1, h2, h3] = [await addHost(), await addHost(), await addHost()];
      const { changes } = await store.createJob(owner.accountId, job(1, { redundancy: 2 }), T0);
      const [a, b] = changes.ready;
      await store.assignReplicas(h1!.id, picksOf([a!]), T0);
      expect(await store.assignReplicas(h2!.id, picksOf([b!]), T0 + 5000)).toHaveLength(1);
      await store.applyReports(h1!.id, [report(a!.replicaId, 3000)], T0 + 10_000);
      const out = await store.applyReports(
        h2!.id,
        [report(b!.replicaId, 500, 'wrong')],
        T0 + 10_000,
      );
      expect(out.changes.ready).toHaveLength(1);
      expect(
        await store.assignReplicas(h3!.id, picksOf(out.changes.ready), T0 + 10_000),
      ).toHaveLength(1);
      await store.applyReports(
        h3!.id,
        [report(out.changes.ready[0]!.replicaId, 2000)],
        T0 + 20_000,
      );
      const at = T0 + 20_000;
      expect((await store.creditStanding('host', h1!.id, at)).totalMicro).toBe(microsFor(2000));
      expect((await store.creditStanding('host', h3!.id, at)).totalMicro).toBe(microsFor(2000));
      expect((await store.creditStanding('host', h2!.id, at)).totalMicro).toBe(0);
      // Read for a whole host list at once: the same standings, a host with none at zero.
      const many = await store.creditStandings('host', [h1!.id, h2!.id, h3!.id, 9999], at);
      for (const h of [h1!, h2!, h3!]) {
        expect(many.get(h.id)).toEqual(await store.creditStanding('host', h.id, at));
      }
      expect(many.get(9999)).toEqual({ totalMicro: 0, recentPerDay: 0 });
      expect((await store.creditStandings('host', [], at)).size).toBe(0);
      await store.close();
    });

    it('takes back the credit of a result a re-check finds wrong', async () => {
      const { store, owner, addHost } = await withCredit(openStore);
      const cheat = await addHost('cheat');
      const [b, c] = [await addHost('b'), await addHost('c')];
      const good = 'd'.repeat(64);
      const validation = {
        mode: 'spot-check' as const,
        rate: 0,
        knownAnswers: [{ index: 1, digest: good }],
      };
      const queue: { replicaId: number; taskId: number; jobId: number }[] = [];
      const created = await store.createJob(owner.accountId, job(3, { validation }), T0);
      queue.push(...picksOf(created.changes.ready));
      let clock = T0;
      /** The host takes the first replica it may, runs it for a second and reports `digest`. */
      const run = async (hostId: number, digest: string) => {
        for (const pick of [...queue]) {
          clock += 1000;
          const [got] = await store.assignReplicas(hostId, [pick], clock);
          if (got === undefined) continue;
          queue.splice(queue.indexOf(pick), 1);
          clock += 1000;
          const out = await store.applyReports(
            hostId,
            [report(got.replicaId, 1000, digest)],
            clock,
          );
          queue.push(...picksOf(out.changes.ready));
          return true;
        }
        return false;
      };
      // Task 0 is accepted alone (rate 0), wrong: the cheat is credited for it, for now.
      await run(cheat.id, 'bad');
      expect((await store.creditStanding('host', cheat.id, clock)).totalMicro).toBe(
        microsFor(1000),
      );
      expect((await store.creditStanding('account', cheat.account, clock)).totalMicro).toBe(
        microsFor(1000),
      );
      // Task 1 has a known answer: the cheat is caught, and task 0 is checked again.
      await run(cheat.id, 'bad');
      for (let i = 0; i < 10; i++) await run(i % 2 === 0 ? b.id : c.id, good);
      const cheatNow = await store.creditStanding('host', cheat.id, clock);
      expect(cheatNow).toEqual({ totalMicro: 0, recentPerDay: 0 });
      expect((await store.creditStanding('account', cheat.account, clock)).totalMicro).toBe(0);
      const honest =
        (await store.creditStanding('host', b.id, clock)).totalMicro +
        (await store.creditStanding('host', c.id, clock)).totalMicro;
      // Tasks 1 and 2 once each, and the re-checked task 0 twice (a re-check wants two).
      expect(honest).toBe(4 * microsFor(1000));
      const board = await store.leaderboard({ by: 'host', order: 'total', limit: 10 }, clock);
      expect(board.map((e) => e.name).sort()).toEqual(['b', 'c']);
      await store.close();
    });

    it('grants nothing for a task that fails or errors', async () => {
      const { store, owner, addHost } = await withCredit(openStore);
      const h = await addHost();
      const { changes } = await store.createJob(
        owner.accountId,
        job(1, { redundancy: 1, maxErrors: 0 }),
        T0,
      );
      await store.assignReplicas(h.id, picksOf(changes.ready), T0);
      await store.applyReports(
        h.id,
        [
          {
            ...report(changes.ready[0]!.replicaId, 5000),
            success: false,
            digest: null,
            exitCode: 1,
            error: { code: 'EXIT_NONZERO', message: 'exit 1' },
          },
        ],
        T0 + 10_000,
      );
      expect((await store.creditStanding('host', h.id, T0 + 10_000)).totalMicro).toBe(0);
      expect(await store.leaderboard({ by: 'host', order: 'total', limit: 10 }, T0)).toEqual([]);
      await store.close();
    });

    it('adds up hosts, accounts and teams, ranks them by total or by recent average, and decays the recent one', async () => {
      const { store, owner, addHost } = await withCredit(openStore);
      const old = await addHost('old');
      const fresh = await addHost('fresh');
      const team = await store.createTeam(old.account, 'Crunchers', T0);
      expect(team).toMatchObject({ name: 'Crunchers', members: 1 });
      await expect(store.createTeam(fresh.account, 'Crunchers', T0)).rejects.toBeInstanceOf(
        ConflictError,
      );
      await expect(store.joinTeam(fresh.account, 'Nobody', T0)).rejects.toBeInstanceOf(
        NotFoundError,
      );
      // `old` works alone on a big task now; `fresh`, a small one two half-lives later.
      const bigJob = await store.createJob(owner.accountId, job(1, { redundancy: 1 }), T0);
      await store.assignReplicas(old.id, picksOf(bigJob.changes.ready), T0);
      await store.applyReports(
        old.id,
        [report(bigJob.changes.ready[0]!.replicaId, 40_000)],
        T0 + 50_000,
      );
      const later = T0 + 2 * CREDIT_HALF_LIFE_MS;
      const smallJob = await store.createJob(owner.accountId, job(1, { redundancy: 1 }), later);
      await store.assignReplicas(fresh.id, picksOf(smallJob.changes.ready), later);
      await store.applyReports(
        fresh.id,
        [report(smallJob.changes.ready[0]!.replicaId, 20_000)],
        later + 30_000,
      );
      const at = later + 30_000;
      const byTotal = await store.leaderboard({ by: 'host', order: 'total', limit: 10 }, at);
      expect(byTotal.map((e) => [e.name, e.credit.totalMicro])).toEqual([
        ['old', microsFor(40_000)],
        ['fresh', microsFor(20_000)],
      ]);
      expect(byTotal[0]).toMatchObject({ rank: 1, account: 'prov1' });
      // Two half-lives on, the old grant counts a quarter: 20 s of credit against 10.
      const byRecent = await store.leaderboard({ by: 'host', order: 'recent', limit: 10 }, at);
      expect(byRecent.map((e) => e.name)).toEqual(['fresh', 'old']);
      const [first, second] = byRecent;
      expect(second!.credit.recentPerDay / first!.credit.recentPerDay).toBeCloseTo(0.5, 3);
      // One more half-life halves both.
      const next = await store.creditStanding('host', fresh.id, at + CREDIT_HALF_LIFE_MS);
      expect(next.recentPerDay / first!.credit.recentPerDay).toBeCloseTo(0.5, 6);
      // A team counts what its members earned while in it: `fresh` joins after its grant.
      await store.joinTeam(fresh.account, 'Crunchers', at);
      const teams = await store.leaderboard({ by: 'team', order: 'total', limit: 10 }, at);
      expect(teams).toEqual([
        expect.objectContaining({
          name: 'Crunchers',
          credit: expect.objectContaining({ totalMicro: microsFor(40_000) }),
        }),
      ]);
      const accounts = await store.leaderboard({ by: 'account', order: 'total', limit: 1 }, at);
      expect(accounts.map((e) => e.name)).toEqual(['prov1']);
      await store.close();
    });
  });
}
