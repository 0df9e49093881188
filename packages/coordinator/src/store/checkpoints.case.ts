/**
 * @module
 * The checkpoint behaviour every `Store` adapter must have (docs/checkpoints.md): the
 * newest checkpoint and progress of a running replica kept for the host that holds it
 * alone, handed on to the replica that replaces it when it dies, each chain continued
 * by one replica only, and the job view's progress of running tasks.
 */

import { NotAssignedError } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { host, job, ok } from './store.case.js';
import type { Principal, ReplicaPick, Store } from './store.js';

const A = { hash: 'a1'.repeat(32), size: 40 };
const B = { hash: 'b2'.repeat(32), size: 41 };
const C = { hash: 'c3'.repeat(32), size: 42 };

async function setup(open: () => Promise<Store>) {
  const store = await open();
  const owner = await store.createToken('requester', 'req', 'r', undefined, 0);
  const requester: Principal = owner;
  // One account per host: the rule that keeps a task's replicas apart applies.
  const hosts: number[] = [];
  for (const name of ['p1', 'p2', 'p3', 'p4']) {
    const prov = await store.createToken('provider', name, name, undefined, 0);
    hosts.push(await store.registerHost(prov.accountId, { ...host, name }, 0));
  }
  return { store, owner, requester, hosts: hosts as [number, number, number, number] };
}

export function describeCheckpoints(name: string, open: () => Promise<Store>): void {
  describe(`${name} store: checkpoints`, () => {
    it("keeps a running replica's newest checkpoint and progress; the job view adds up running tasks", async () => {
      const { store, owner, requester, hosts } = await setup(open);
      const [h1] = hosts;
      const { job: created, changes } = await store.createJob(owner.accountId, job(3), 0);
      const [r1, r2] = await store.assignReplicas(h1, changes.ready, 1);
      expect((await store.getJob(created.id, requester))?.progress.running).toBeUndefined();
      expect(await store.recordCheckpoint(h1, r1?.replicaId as number, A, 0.25, 2)).toBe(
        'recorded',
      );
      // Progress alone leaves the state as it was.
      expect(await store.recordCheckpoint(h1, r1?.replicaId as number, null, 0.5, 3)).toBe(
        'recorded',
      );
      await store.recordCheckpoint(h1, r2?.replicaId as number, null, 0.3, 3);
      expect((await store.getJob(created.id, requester))?.progress.running).toBeCloseTo(0.8);
      // A finished replica no longer counts, and no longer takes checkpoints.
      await store.applyReports(h1, [ok(r1?.replicaId as number)], 4);
      expect((await store.getJob(created.id, requester))?.progress.running).toBeCloseTo(0.3);
      expect(await store.recordCheckpoint(h1, r1?.replicaId as number, B, 0.9, 5)).toBe('stale');
      await store.close();
    });

    it('refuses a checkpoint from a host that does not hold the replica', async () => {
      const { store, owner, hosts } = await setup(open);
      const [h1, h2] = hosts;
      const { changes } = await store.createJob(owner.accountId, job(1, { deadlineMs: 10 }), 0);
      const [r1] = await store.assignReplicas(h1, changes.ready, 1);
      const id = r1?.replicaId as number;
      await expect(store.recordCheckpoint(h2, id, A, 0.5, 2)).rejects.toBeInstanceOf(
        NotAssignedError,
      );
      await expect(store.recordCheckpoint(h1, id + 100, A, 0.5, 2)).rejects.toBeInstanceOf(
        NotAssignedError,
      );
      // Nothing was kept: a reissue after a timeout starts afresh.
      const swept = await store.expireDeadlines(12, 10);
      const [retry] = await store.assignReplicas(h2, swept.changes.ready, 13);
      expect(retry).toBeDefined();
      expect(retry?.checkpoint).toBeUndefined();
      await store.close();
    });

    it("hands a dead replica's chain to the one replacing it, once; its late answer no longer counts", async () => {
      const { store, owner, hosts } = await setup(open);
      const [h1, h2, h3] = hosts;
      const { changes } = await store.createJob(owner.accountId, job(1, { deadlineMs: 10 }), 0);
      const [first] = await store.assignReplicas(h1, changes.ready, 0);
      const dead = first?.replicaId as number;
      await store.recordCheckpoint(h1, dead, A, 0.4, 5);
      const swept = await store.expireDeadlines(11, 10);
      const [retry] = [...swept.changes.ready] as ReplicaPick[];
      const [resumed] = await store.assignReplicas(h2, [retry as ReplicaPick], 12);
      expect(resumed).toMatchObject({ replicaId: retry?.replicaId, checkpoint: A });
      // The timed-out host answers late: its chain is the resumed one's now.
      const late = await store.applyReports(h1, [ok(dead)], 13);
      expect(late.statuses).toEqual(['late']);
      // The resumed replica is handed back before it sent its own: the next one still
      // continues the chain from A, through it.
      const back = await store.abandon(h2, [resumed?.replicaId as number], 14);
      const [again] = await store.assignReplicas(h3, back.changes.ready, 15);
      expect(again?.checkpoint).toEqual(A);
      await store.recordCheckpoint(h3, again?.replicaId as number, B, 0.7, 16);
      const done = await store.applyReports(h3, [ok(again?.replicaId as number)], 17);
      expect(done.statuses).toEqual(['accepted']);
      await store.close();
    });

    it('never lets two replicas of one task share a chain', async () => {
      const { store, owner, hosts } = await setup(open);
      const [h1, h2, h3, h4] = hosts;
      const { changes } = await store.createJob(
        owner.accountId,
        job(1, { redundancy: 2, deadlineMs: 1000 }),
        0,
      );
      const [a, b] = changes.ready as readonly ReplicaPick[] as [ReplicaPick, ReplicaPick];
      const [ra] = await store.assignReplicas(h1, [a], 0);
      const [rb] = await store.assignReplicas(h2, [b], 500);
      await store.recordCheckpoint(h1, ra?.replicaId as number, A, 0.5, 600);
      await store.recordCheckpoint(h2, rb?.replicaId as number, B, 0.6, 600);
      // A dies: its replacement continues A's chain, never B's, which still runs.
      const first = await store.expireDeadlines(1001, 10);
      expect(first.timedOut).toBe(1);
      const [a2] = first.changes.ready as readonly ReplicaPick[] as [ReplicaPick];
      // Placement rules stand: not to B's host.
      expect(await store.assignReplicas(h2, [a2], 1002)).toEqual([]);
      const [resumedA] = await store.assignReplicas(h3, [a2], 1003);
      expect(resumedA?.checkpoint).toEqual(A);
      await store.recordCheckpoint(h3, resumedA?.replicaId as number, C, 0.8, 1100);
      // B dies too: its replacement continues B's chain alone.
      const second = await store.expireDeadlines(1501, 10);
      expect(second.timedOut).toBe(1);
      const [b2] = second.changes.ready as readonly ReplicaPick[] as [ReplicaPick];
      const [resumedB] = await store.assignReplicas(h4, [b2], 1502);
      expect(resumedB?.checkpoint).toEqual(B);
      await store.close();
    });
  });
}
