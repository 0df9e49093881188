/**
 * @module
 * Several coordinators on one store, through the `Store` contract, for every adapter:
 * `open` gives two stores over one database, as two coordinator processes hold them. The
 * leader lease is held by one at a time, renewed by its holder, taken over once it ran
 * out or was released; a replica created through one is found through the other by a work
 * poll above a replica id, and assigned once whichever assigns it; a part with
 * dependencies sent through one makes a parent settled through the other release its
 * child, however the other cached the job before.
 */

import { describe, expect, it } from 'vitest';
import { LEADER_LEASE, PRESENCE_PREFIX, resolvePolicy } from '../policy/index.js';
import { host, job, ok } from './store.case.js';
import type { NewJob, Store } from './store.js';

export function describeLeadership(
  name: string,
  open: () => Promise<readonly [Store, Store]>,
): void {
  describe(`${name} stores sharing one database`, () => {
    it('gives the leader lease to one holder at a time and renews it without a new term', async () => {
      const [a, b] = await open();
      expect(await a.readLease(LEADER_LEASE)).toBeNull();
      const first = await a.claimLease(LEADER_LEASE, 'A', 1000, 500);
      expect(first).toMatchObject({ holder: 'A', expiresAt: 1500, term: 1 });
      // B asks while A's lease runs: it reads A's back and takes nothing.
      expect(await b.claimLease(LEADER_LEASE, 'B', 1200, 500)).toMatchObject({
        holder: 'A',
        expiresAt: 1500,
        term: 1,
      });
      const renewed = await a.claimLease(LEADER_LEASE, 'A', 1400, 500);
      expect(renewed).toMatchObject({ holder: 'A', expiresAt: 1900, term: 1 });
      expect(await b.readLease(LEADER_LEASE)).toEqual(renewed);
    });

    it('moves the lease to another holder once it ran out, and the old holder cannot renew it', async () => {
      const [a, b] = await open();
      await a.claimLease(LEADER_LEASE, 'A', 1000, 500);
      // A died: nobody renewed it.
      expect(await b.claimLease(LEADER_LEASE, 'B', 1499, 500)).toMatchObject({ holder: 'A' });
      const taken = await b.claimLease(LEADER_LEASE, 'B', 1500, 500);
      expect(taken).toMatchObject({ holder: 'B', expiresAt: 2000, term: 2 });
      // A comes back late: the lease is B's.
      expect(await a.claimLease(LEADER_LEASE, 'A', 1600, 500)).toMatchObject({
        holder: 'B',
        term: 2,
      });
    });

    it('lets another take the lease at once after its holder released it', async () => {
      const [a, b] = await open();
      await a.claimLease(LEADER_LEASE, 'A', 1000, 10_000);
      expect(await b.releaseLease(LEADER_LEASE, 'B', 1100)).toBe(false);
      expect(await a.releaseLease(LEADER_LEASE, 'A', 1100)).toBe(true);
      expect(await b.claimLease(LEADER_LEASE, 'B', 1101, 500)).toMatchObject({
        holder: 'B',
        term: 2,
      });
      // Leases of other names are apart.
      expect(await a.claimLease('other', 'A', 1101, 500)).toMatchObject({ holder: 'A', term: 1 });
    });

    it('takes the lease at once from a holder known dead, and from no other', async () => {
      const [a, b] = await open();
      await a.claimLease(LEADER_LEASE, 'A', 1000, 10_000);
      // Naming another holder as dead takes nothing from A.
      expect(await b.claimLease(LEADER_LEASE, 'B', 1100, 500, 'Z')).toMatchObject({ holder: 'A' });
      expect(await b.claimLease(LEADER_LEASE, 'B', 1100, 500, 'A')).toMatchObject({
        holder: 'B',
        expiresAt: 1600,
        term: 2,
      });
    });

    it('lists the live holders of presence leases, not those run out, released or of other names', async () => {
      const [a, b] = await open();
      await a.claimLease(`${PRESENCE_PREFIX}A`, 'A', 1000, 500);
      await b.claimLease(`${PRESENCE_PREFIX}B`, 'B', 1000, 800);
      await b.claimLease(`${PRESENCE_PREFIX}C_x`, 'C_x', 1000, 800);
      await a.claimLease(LEADER_LEASE, 'A', 1000, 10_000);
      // A name that only looks alike under LIKE ('_' matches any character).
      await a.claimLease('coordinatorXZ', 'Z', 1000, 10_000);
      expect(await b.liveLeaseHolders(PRESENCE_PREFIX, 1200)).toEqual(['A', 'B', 'C_x']);
      // A's ran out (it died); C left cleanly.
      expect(await b.releaseLease(`${PRESENCE_PREFIX}C_x`, 'C_x', 1300)).toBe(true);
      expect(await a.liveLeaseHolders(PRESENCE_PREFIX, 1500)).toEqual(['B']);
    });

    it('finds through one store the replicas created through the other, above a replica id', async () => {
      const [a, b] = await open();
      const owner = await a.createToken('requester', 'req', 'r', undefined, 0);
      const mark = await b.newestReplicaId();
      expect(await b.readyReplicaIds(mark)).toEqual([]);
      const { changes } = await a.createJob(owner.accountId, job(3, { redundancy: 2 }), 0);
      const ids = changes.ready.map((r) => r.replicaId);
      expect(ids).toHaveLength(6);
      expect(await b.newestReplicaId()).toBe(Math.max(...ids));
      expect(await b.readyReplicaIds(mark)).toEqual([...ids].sort((x, y) => x - y));
      const found = await b.readyReplicasIn(await b.readyReplicaIds(mark));
      expect(found.map((r) => r.replicaId).sort((x, y) => x - y)).toEqual(
        [...ids].sort((x, y) => x - y),
      );
      expect(found.every((r) => r.accountId === owner.accountId)).toBe(true);
      expect(await b.readyReplicasIn(await b.readyReplicaIds(Math.max(...ids)))).toEqual([]);
    });

    it('diagnoses a job against the hosts the other store saw lately, not only those named', async () => {
      const [a, b] = await open();
      const owner = await a.createToken('requester', 'req', 'r', undefined, 0);
      const principal = { accountId: owner.accountId, account: 'req', role: 'requester' as const };
      const p = await b.createToken('provider', 'p', 'p', undefined, 0);
      // Registered (and so seen) through the other store at 1000, never named here.
      await b.registerHost(p.accountId, host, 1000);
      const { job: created } = await a.createJob(owner.accountId, job(1), 0);
      const named = await a.diagnosticsFacts(created.id, principal, [], 2000);
      expect(named?.hosts).toHaveLength(0);
      const seen = await a.diagnosticsFacts(created.id, principal, [], 2000, 500);
      expect(seen?.hosts).toHaveLength(1);
      // Seen before the window: not connected any more.
      expect((await a.diagnosticsFacts(created.id, principal, [], 2000, 1500))?.hosts).toHaveLength(
        0,
      );
    });

    it('assigns a replica once when both stores try to send it', async () => {
      const [a, b] = await open();
      const owner = await a.createToken('requester', 'req', 'r', undefined, 0);
      const p1 = await a.createToken('provider', 'p1', 'p1', undefined, 0);
      const p2 = await b.createToken('provider', 'p2', 'p2', undefined, 0);
      const h1 = await a.registerHost(p1.accountId, host, 0);
      const h2 = await b.registerHost(p2.accountId, host, 0);
      const { changes } = await a.createJob(owner.accountId, job(2), 0);
      const seenByB = await b.readyReplicasIn(await b.readyReplicaIds(0));
      const sentByA = await a.assignReplicas(h1, changes.ready, 1);
      const sentByB = await b.assignReplicas(h2, seenByB, 2);
      expect(sentByA).toHaveLength(2);
      expect(sentByB).toEqual([]);
      expect(await b.readyReplicaIds(0)).toEqual([]);
      // The result cursor moves on whichever store the report lands.
      const before = await a.resultCursor();
      await b.applyReports(h1, [ok(sentByA[0]?.replicaId ?? 0)], 3);
      expect(await a.resultCursor()).toBe(before + 1);
    });

    it('releases a child sent through one store when its parent settles through the other', async () => {
      const [a, b] = await open();
      const owner = await a.createToken('requester', 'req', 'r', undefined, 0);
      const prov = await b.createToken('provider', 'prov', 'p', undefined, 0);
      const h = await b.registerHost(prov.accountId, { ...host, slots: 8 }, 0);
      const task = (i: number, dependsOn?: number[]) => ({
        args: [String(i)],
        env: {},
        files: {},
        ...(dependsOn ? { dependsOn } : {}),
      });
      const first: NewJob = {
        module: { hash: 'a'.repeat(64), size: 10 },
        policy: resolvePolicy({}),
        tasks: [task(0)],
        tasksTotal: 2,
        partsUntil: 10_000,
      };
      const created = await a.createJob(owner.accountId, first, 0);
      // B sends the parent first: it knows the job then as one without dependencies.
      const [parent] = await b.assignReplicas(
        h,
        await b.readyReplicasIn(await b.readyReplicaIds(0)),
        1,
      );
      expect(parent).toBeDefined();
      const mark = await b.newestReplicaId();
      await a.addTasks(created.job.id, 1, [task(1, [0])], 2, 10_000);
      expect(await b.readyReplicaIds(mark)).toEqual([]);
      const settled = await b.applyReports(h, [ok(parent?.replicaId ?? 0)], 3);
      expect(settled.changes.ready).toHaveLength(1);
      expect(await a.readyReplicaIds(mark)).toEqual(settled.changes.ready.map((r) => r.replicaId));
    });
  });
}
