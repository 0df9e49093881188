/**
 * @module
 * The host rules every `Store` adapter enforces, as one behavioural suite: which host may
 * take a replica (same host, same account, same network), what a host's replicas count
 * for (reputation counts, quota), the cap on hosts per account, and who sees which host.
 */

import { HostLimitError } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { host, job, ok } from './store.case.js';
import type { Placement, ReplicaPick, Store, StoreRules } from './store.js';

/** A store opened with rules, a requester, and a host maker (each host of its own account unless one is given). */
export async function withHosts(
  openStore: (rules: StoreRules) => Promise<Store>,
  rules: StoreRules = {},
) {
  const store = await openStore(rules);
  const owner = await store.createToken('requester', 'req', 'r', undefined, 0);
  let n = 0;
  /** A host of its own account unless one is given, registered from `address`. */
  const addHost = async (address: string | null, accountId?: number) => {
    n++;
    const account =
      accountId ??
      (await store.createToken('provider', `prov${n}`, `p${n}`, undefined, 0)).accountId;
    const id = await store.registerHost(account, { ...host, name: `h${n}` }, 0, { address });
    return { id, account };
  };
  return { store, owner, addHost };
}

export const picksOf = (ready: readonly ReplicaPick[]) =>
  ready.map(({ replicaId, taskId, jobId }) => ({ replicaId, taskId, jobId }));

export function describeHostRules(
  name: string,
  openStore: (rules: StoreRules) => Promise<Store>,
): void {
  describe(`${name} store: who may take a replica`, () => {
    it('never sends two replicas of a compared task to hosts of one account, yet lets a one-account pool retry a job without comparison', async () => {
      const { store, owner, addHost } = await withHosts(openStore);
      const a = await addHost('127.0.0.1');
      const b = await addHost('127.0.0.1', a.account);
      const c = await addHost('127.0.0.1');
      const { changes } = await store.createJob(owner.accountId, job(1, { redundancy: 2 }), 0);
      const [r1, r2] = picksOf(changes.ready) as [ReplicaPick, ReplicaPick];
      expect(await store.assignReplicas(a.id, [r1], 1)).toHaveLength(1);
      // Refused, still ready, and marked as refused for good (its task is with the account).
      const refused: Placement = { deferred: [], apart: [], quarantined: false };
      expect(await store.assignReplicas(b.id, [r1, r2], 1, refused)).toEqual([]);
      expect(refused).toEqual({ deferred: [r2], apart: [r2.replicaId], quarantined: false });
      // Past the spread rule's 250 ms, so only the account rule is at stake.
      expect(await store.assignReplicas(c.id, [r2], 300)).toHaveLength(1);

      const solo = await store.createJob(
        owner.accountId,
        job(1, { redundancy: 1, maxErrors: 5 }),
        2,
      );
      const [first] = picksOf(solo.changes.ready) as [ReplicaPick];
      const [sent] = await store.assignReplicas(a.id, [first], 3);
      const failed = {
        ...ok(sent!.replicaId),
        success: false,
        digest: null,
        error: { code: 'X', message: 'x' },
      };
      const { changes: retry } = await store.applyReports(a.id, [failed], 4);
      // A job without comparison: its retry is not kept from the account's other hosts,
      // only from the host that holds its task.
      const again: Placement = { deferred: [], apart: [], quarantined: false };
      expect(await store.assignReplicas(a.id, picksOf(retry.ready), 5, again)).toEqual([]);
      expect(again.apart).toEqual(retry.ready.map((r) => r.replicaId));
      expect(await store.assignReplicas(b.id, picksOf(retry.ready), 5)).toHaveLength(1);
      await store.close();
    });

    it('keeps a compared task off two hosts of one public /24 or /48, while private addresses are exempt', async () => {
      const { store, owner, addHost } = await withHosts(openStore);
      const pub1 = await addHost('203.0.113.5');
      const pub2 = await addHost('::ffff:203.0.113.77');
      const other = await addHost('203.0.114.5');
      const v6a = await addHost('2001:db8:7:1::5');
      const v6b = await addHost('2001:db8:7:2::9');
      const lan1 = await addHost('192.168.1.2');
      const lan2 = await addHost('192.168.1.3');
      const { changes } = await store.createJob(owner.accountId, job(3, { redundancy: 2 }), 0);
      const [a1, a2, b1, b2, c1, c2] = picksOf(changes.ready) as ReplicaPick[] as [
        ReplicaPick,
        ReplicaPick,
        ReplicaPick,
        ReplicaPick,
        ReplicaPick,
        ReplicaPick,
      ];
      expect(await store.assignReplicas(pub1.id, [a1], 1)).toHaveLength(1);
      // Second replicas past the spread rule's 250 ms, so only the network rule is at stake.
      expect(await store.assignReplicas(pub2.id, [a2], 300)).toEqual([]);
      expect(await store.assignReplicas(other.id, [a2], 300)).toHaveLength(1);
      expect(await store.assignReplicas(v6a.id, [b1], 1)).toHaveLength(1);
      expect(await store.assignReplicas(v6b.id, [b2], 300)).toEqual([]);
      expect(await store.assignReplicas(lan1.id, [c1], 1)).toHaveLength(1);
      expect(await store.assignReplicas(lan2.id, [c2], 300)).toHaveLength(1);
      await store.close();
    });

    it('rules private addresses too when configured, and none when off', async () => {
      for (const [rule, second] of [
        ['all', 0],
        ['off', 1],
      ] as const) {
        const { store, owner, addHost } = await withHosts(openStore, { networkRule: rule });
        const h1 = await addHost('127.0.0.1');
        const h2 = await addHost('127.0.0.1');
        const { changes } = await store.createJob(owner.accountId, job(1, { redundancy: 2 }), 0);
        const [r1, r2] = picksOf(changes.ready) as [ReplicaPick, ReplicaPick];
        expect(await store.assignReplicas(h1.id, [r1], 1)).toHaveLength(1);
        expect(await store.assignReplicas(h2.id, [r2], 300)).toHaveLength(second);
        await store.close();
      }
    });
  });

  describe(`${name} store: reputation and quota`, () => {
    it('counts valid, invalid, errored, timed-out, abandoned and alone replicas per host, in the transaction that decides them', async () => {
      const { store, owner, addHost } = await withHosts(openStore);
      const [a, b, c] = [await addHost(null), await addHost(null), await addHost(null)];
      const compared = await store.createJob(
        owner.accountId,
        job(2, { redundancy: 2, deadlineMs: 10 }),
        0,
      );
      const [t1a, t1b, t2a, t2b] = picksOf(compared.changes.ready) as [
        ReplicaPick,
        ReplicaPick,
        ReplicaPick,
        ReplicaPick,
      ];
      const [x1, x2] = await store.assignReplicas(a.id, [t1a, t2a], 1);
      // Second replicas past the spread rule's 250 ms.
      const [y1] = await store.assignReplicas(b.id, [t1b], 300);
      const [z2] = await store.assignReplicas(c.id, [t2b], 300);
      await store.applyReports(a.id, [ok(x1!.replicaId, 'good')], 302);
      await store.applyReports(b.id, [ok(y1!.replicaId, 'bad')], 302);
      await store.applyReports(
        c.id,
        [
          {
            ...ok(z2!.replicaId),
            success: false,
            digest: null,
            error: { code: 'X', message: 'x' },
          },
        ],
        302,
      );
      // Task 1 disagrees: a third replica decides it, on host c.
      const third = (await store.readyReplicas()).filter((r) => r.taskId === t1a.taskId);
      const [w1] = await store.assignReplicas(c.id, picksOf(third), 303);
      const settled = await store.applyReports(c.id, [ok(w1!.replicaId, 'good')], 304);
      expect(settled.changes.outcomes).toMatchObject({ valid: 2, invalid: 1 });
      // a's replica of task 2 runs past its deadline while the task still needs it.
      const expired = await store.expireDeadlines(400, 10);
      expect(expired.changes.outcomes).toMatchObject({ timedOut: 1 });

      const solo = await store.createJob(owner.accountId, job(2), 500);
      const [s1, s2] = await store.assignReplicas(b.id, picksOf(solo.changes.ready), 501);
      await store.applyReports(b.id, [ok(s1!.replicaId)], 502);
      await store.abandon(b.id, [s2!.replicaId], 503);

      const admin = { accountId: 0, account: 'admin', role: 'admin' as const };
      const view = async (id: number) => (await store.getHost(id, admin, 600))!.replicas;
      expect(await view(a.id)).toEqual({
        valid: 1,
        invalid: 0,
        errored: 0,
        timedOut: 1,
        abandoned: 0,
        alone: 0,
      });
      expect(await view(b.id)).toEqual({
        valid: 0,
        invalid: 1,
        errored: 0,
        timedOut: 0,
        abandoned: 1,
        alone: 1,
      });
      expect(await view(c.id)).toEqual({
        valid: 1,
        invalid: 0,
        errored: 1,
        timedOut: 0,
        abandoned: 0,
        alone: 0,
      });
      const a2 = await store.getHost(a.id, admin, 600);
      expect(a2!.reputation.score).toBeCloseTo(2 / 4);
      expect(x2).toBeDefined();
      await store.close();
    });

    it('stops sending a host work past its daily quota, cuts the quota on failures and restores it on accepted results', async () => {
      const { store, owner, addHost } = await withHosts(openStore, {
        dailyQuota: { initial: 3, max: 12, min: 1 },
      });
      const h = await addHost(null);
      const { changes } = await store.createJob(owner.accountId, job(10), 0);
      const picks = picksOf(changes.ready);
      expect(await store.hostAllowance(h.id, 10, 1)).toBe(3);
      const sent = await store.assignReplicas(h.id, picks, 1);
      expect(sent).toHaveLength(3);
      expect(await store.hostAllowance(h.id, 10, 2)).toBe(0);
      expect(await store.assignReplicas(h.id, picks.slice(3), 2)).toEqual([]);
      // Two accepted results double the quota twice: 12, and answered replicas no longer
      // count against it: 1 of the 3 sent is still out.
      await store.applyReports(h.id, [ok(sent[0]!.replicaId), ok(sent[1]!.replicaId)], 3);
      expect(await store.hostAllowance(h.id, 100, 4)).toBe(11);
      // The third times out: the quota halves, and the host gets a smaller share of a pull.
      await store.expireDeadlines(1e9, 10);
      const admin = { accountId: 0, account: 'admin', role: 'admin' as const };
      const later = await store.getHost(h.id, admin, 1e9);
      expect(later!.quota).toEqual({ perDay: 6, usedToday: 0, leftToday: 6 });
      expect(await store.hostAllowance(h.id, 6, 1e9)).toBe(4);
      await store.close();
    });

    it('does not hold back a host whose answered results wait for a second opinion', async () => {
      const { store, owner, addHost } = await withHosts(openStore, {
        dailyQuota: { initial: 3, max: 12, min: 1 },
      });
      const h = await addHost(null);
      const { changes } = await store.createJob(owner.accountId, job(10, { redundancy: 2 }), 0);
      const first = await store.assignReplicas(h.id, picksOf(changes.ready), 1);
      expect(first).toHaveLength(3);
      // Answered, none judged yet (each needs a second host): the quota is what it was,
      // and the host may be sent as much again.
      await store.applyReports(
        h.id,
        first.map((a) => ok(a.replicaId)),
        2,
      );
      expect(await store.hostAllowance(h.id, 10, 3)).toBe(3);
      const ready = picksOf(await store.readyReplicas());
      expect(await store.assignReplicas(h.id, ready, 2000)).toHaveLength(3);
      await store.close();
    });

    it('caps the active hosts of an account, but lets a host register again with its id', async () => {
      const { store } = await withHosts(openStore);
      const prov = await store.createToken('provider', 'capped', 'c', undefined, 0);
      const origin = { address: '127.0.0.1', maxHostsPerAccount: 2 };
      const first = await store.registerHost(prov.accountId, host, 0, origin);
      await store.registerHost(prov.accountId, host, 0, origin);
      await expect(store.registerHost(prov.accountId, host, 1, origin)).rejects.toBeInstanceOf(
        HostLimitError,
      );
      expect(await store.registerHost(prov.accountId, { ...host, hostId: first }, 1, origin)).toBe(
        first,
      );
      // A host unseen for a day no longer counts.
      expect(
        await store.registerHost(prov.accountId, host, 2 * 86_400_000, origin),
      ).toBeGreaterThan(first);
      await store.close();
    });

    it('shows a provider its own hosts only, and an admin every host', async () => {
      const { store, addHost } = await withHosts(openStore);
      const mine = await addHost('127.0.0.1');
      await addHost('127.0.0.1');
      const me = { accountId: mine.account, account: 'prov1', role: 'provider' as const };
      const admin = { accountId: 0, account: 'admin', role: 'admin' as const };
      const own = await store.listHosts(me, 10, 1);
      expect(own.hosts.map((h) => h.id)).toEqual([mine.id]);
      expect(own.accounts).toMatchObject([{ id: mine.account, name: 'prov1', hosts: 1 }]);
      const all = await store.listHosts(admin, 10, 1);
      expect(all.hosts).toHaveLength(2);
      expect(all.accounts.map((a) => a.hosts)).toEqual([1, 1]);
      // Account totals cover every host of the account, not only the newest `limit`.
      await addHost('127.0.0.1', mine.account);
      const capped = await store.listHosts(me, 1, 1);
      expect(capped.hosts).toHaveLength(1);
      expect(capped.accounts).toMatchObject([{ hosts: 2 }]);
      expect(await store.getHost(mine.id + 1, me, 1)).toBeNull();
      expect(await store.getHost(mine.id, me, 1)).toMatchObject({
        address: '127.0.0.1',
        account: { name: 'prov1' },
      });
      await store.close();
    });

    it('keeps what a host declares of itself, and what its heartbeats update, leaving the rest as it was', async () => {
      const { store } = await withHosts(openStore);
      const prov = await store.createToken('provider', 'cap', 'c', undefined, 0);
      const admin = { accountId: 0, account: 'admin', role: 'admin' as const };
      const plain = await store.registerHost(prov.accountId, host, 0, { address: null });
      expect(await store.getHost(plain, admin, 1)).toMatchObject({
        freeDiskBytes: null,
        speed: null,
        accelerators: [],
        region: null,
      });
      const gpu = { kind: 'cuda' as const, name: 'NVIDIA L4', memoryBytes: 24 * 2 ** 30 };
      const declared = {
        ...host,
        freeDiskBytes: 5e9,
        speed: 2.5e8,
        accelerators: [gpu],
        region: 'eu-west',
      };
      const id = await store.registerHost(prov.accountId, declared, 0, { address: null });
      await store.updateHost(id, { speed: 3e8 });
      expect(await store.getHost(id, admin, 1)).toMatchObject({
        freeDiskBytes: 5e9,
        speed: 3e8,
        accelerators: [gpu],
        region: 'eu-west',
      });
      await store.updateHost(id, { freeDiskBytes: 1e9 });
      expect(await store.getHost(id, admin, 1)).toMatchObject({ freeDiskBytes: 1e9, speed: 3e8 });
      await store.close();
    });
  });
}
