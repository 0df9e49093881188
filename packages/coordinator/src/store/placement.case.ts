/**
 * @module
 * Requirements and speed-aware placement as every `Store` adapter enforces them: a job's
 * requirements travel with it, a host that fails them is refused its replicas at
 * assignment whatever the scheduler believed (and the refusal says so), and how many
 * replicas a host may hold follows its speed and the replica deadline. Also the facts
 * placement and diagnostics read: running jobs' sizes, hosts' capabilities.
 */

import { describe, expect, it } from 'vitest';
import { host, job, ok } from './store.case.js';
import type { Placement, Store } from './store.js';

const GiB = 1024 ** 3;

export function describePlacement(name: string, openStore: () => Promise<Store>): void {
  describe(`${name} store: requirements and speed`, () => {
    async function pool() {
      const store = await openStore();
      const owner = await store.createToken('requester', 'req', 'r', undefined, 0);
      const prov = await store.createToken('provider', 'prov', 'p', undefined, 0);
      const small = await store.registerHost(
        prov.accountId,
        { ...host, name: 'small', memoryBytes: 2 * GiB, speed: 1e9 },
        0,
      );
      const big = await store.registerHost(
        prov.accountId,
        { ...host, name: 'big', memoryBytes: 16 * GiB, region: 'eu-west', speed: 2e9 },
        0,
      );
      return { store, owner, small, big };
    }

    it('keeps the requirements with the job and refuses a host that fails them', async () => {
      const { store, owner, small, big } = await pool();
      const requirements = { minMemoryBytes: 8 * GiB, regions: ['eu-west'] };
      const { job: view, changes } = await store.createJob(
        owner.accountId,
        { ...job(2), requirements },
        0,
      );
      expect(view.requirements).toEqual(requirements);
      const placement: Placement = { deferred: [], apart: [], quarantined: false };
      expect(await store.assignReplicas(small, changes.ready, 1, placement)).toEqual([]);
      // Held back, not kept apart: another host of the account may well qualify.
      expect(placement.deferred.map((p) => p.replicaId)).toEqual(
        changes.ready.map((r) => r.replicaId),
      );
      expect(placement.unfit).toBe(true);
      expect(placement.apart).toEqual([]);
      expect(await store.assignReplicas(big, changes.ready, 2)).toHaveLength(2);
      await store.close();
    });

    it('enforces price ceilings: a paid job goes to hosts asking at or under it, a free one to hosts asking nothing', async () => {
      const store = await openStore();
      const owner = await store.createToken('requester', 'req', 'r', undefined, 0);
      const prov = await store.createToken('provider', 'prov', 'p', undefined, 0);
      const asks = (cpuSecond: number) => ({ cpuSecond, memGiBSecond: 0, gpuSecond: 0 });
      const dear = await store.registerHost(
        prov.accountId,
        { ...host, name: 'dear', asks: asks(9) },
        0,
      );
      const cheap = await store.registerHost(
        prov.accountId,
        { ...host, name: 'cheap', asks: asks(2) },
        0,
      );
      const volunteer = await store.registerHost(prov.accountId, { ...host, name: 'vol' }, 0);
      // Paid jobs reserve their maximum cost at submit.
      await store.moveMoney(
        {
          kind: 'credit',
          account: owner.accountId,
          amount: 1e9,
          idempotencyKey: 'fund',
          from: 'external',
          to: 'balance',
        },
        0,
      );
      expect((await store.hostCapabilities(dear))?.asks).toEqual(asks(9));
      const pricing = { ceiling: asks(5), tier: 'standard' as const };
      const paid = await store.createJob(owner.accountId, job(1, { pricing }), 0);
      const placement: Placement = { deferred: [], apart: [], quarantined: false };
      expect(await store.assignReplicas(dear, paid.changes.ready, 1, placement)).toEqual([]);
      expect(placement.unfit).toBe(true);
      expect(placement.deferred).toHaveLength(1);
      expect(await store.assignReplicas(cheap, paid.changes.ready, 2)).toHaveLength(1);
      const free = await store.createJob(owner.accountId, job(1), 3);
      expect(await store.assignReplicas(cheap, free.changes.ready, 4)).toEqual([]);
      expect(await store.assignReplicas(volunteer, free.changes.ready, 5)).toHaveLength(1);
      // A volunteer runs paid work too; a host lowering its ask may take what it could not.
      const more = await store.createJob(owner.accountId, job(2, { pricing }), 6);
      expect(await store.assignReplicas(volunteer, more.changes.ready.slice(0, 1), 7)).toHaveLength(
        1,
      );
      await store.updateHost(dear, { asks: asks(5) });
      expect(await store.assignReplicas(dear, more.changes.ready.slice(1), 8)).toHaveLength(1);
      await store.close();
    });

    it('reads a quote’s facts: connected hosts with their asks, a module’s run times, the queue ahead', async () => {
      const { store, owner, small, big } = await pool();
      await store.updateHost(big, { asks: { cpuSecond: 7, memGiBSecond: 1, gpuSecond: 0 } });
      const low = await store.createJob(owner.accountId, job(3, { priority: -5 }), 0);
      await store.createJob(owner.accountId, job(2, { priority: 5 }), 0);
      const f = await store.quoteFacts(low.job.module.hash, [big, 9999], 0, 1);
      expect(f.hosts).toHaveLength(1);
      expect(f.hosts[0]?.caps.asks).toEqual({ cpuSecond: 7, memGiBSecond: 1, gpuSecond: 0 });
      expect(f.hosts[0]?.usable).toBe(true);
      // Only the priority-5 job's two replicas are at or above priority 0.
      expect(f.queuedAhead).toBe(2);
      expect((await store.quoteFacts(undefined, [small, big], -10, 1)).queuedAhead).toBe(5);
      // No runs reported yet: nothing measured.
      expect(f.size).toEqual({});
      await store.close();
    });

    it('reads a host’s declared capabilities and reputation back', async () => {
      const { store, big } = await pool();
      expect(await store.hostCapabilities(big)).toMatchObject({
        memoryBytes: 16 * GiB,
        region: 'eu-west',
        speed: 2e9,
        accelerators: [],
      });
      expect(await store.hostCapabilities(9999)).toBeNull();
      await store.close();
    });

    it('sizes a host’s share from its speed, and holds back what it could not finish by the deadline', async () => {
      const { store, owner, small, big } = await pool();
      // 4 G ops: 4 s on the small host, 2 s on the big one; 7 s deadline, 2 slots each.
      const { changes } = await store.createJob(
        owner.accountId,
        job(40, { estimatedOps: 4e9, deadlineMs: 7_000 }),
        0,
      );
      const picks = changes.ready;
      const slow: Placement = { deferred: [], apart: [], quarantined: false };
      const onSmall = await store.assignReplicas(small, picks.slice(0, 20), 1, slow);
      // (7 − 4) × 2 / 4 + 1 = 2 replicas; the rest waits for it to report.
      expect(onSmall).toHaveLength(2);
      expect(slow.capped).toBe(true);
      const onBig = await store.assignReplicas(big, picks.slice(20), 1);
      // (7 − 2) × 2 / 2 + 1 = 6.
      expect(onBig).toHaveLength(6);
      await store.close();
    });

    it('measures a task’s size in operations from the speed of the hosts that report', async () => {
      const { store, owner, big } = await pool();
      const { job: view, changes } = await store.createJob(owner.accountId, job(2), 0);
      const sent = await store.assignReplicas(big, changes.ready, 1);
      const report = { ...ok(sent[0]!.replicaId), durationMs: 500 };
      const { changes: after } = await store.applyReports(big, [report], 2);
      expect(after.runtimes).toEqual([{ jobId: view.id, ms: 500, n: 1, ops: 1e9, opsN: 1 }]);
      const facts = (await store.jobPlacements()).get(view.id);
      expect(facts?.runs).toEqual({ ms: 500, n: 1, ops: 1e9, opsN: 1 });
      await store.close();
    });
  });
}
