/**
 * @module
 * Work handed back and answers that come late, for every `Store` adapter: a handed-back
 * replica counts no error and may go back to the same host; its late answer counts while
 * its task is open and is only noted once it settled; one host never votes twice; a
 * module the host refused goes back without an error and never to that host again.
 */

import { describe, expect, it } from 'vitest';
import { fedStore, job, ok } from './store.case.js';
import type { Store } from './store.js';

export function describeHandBack(name: string, open: () => Promise<Store>): void {
  describe(`${name} store: work handed back and late answers`, () => {
    const setup = () => fedStore(open);

    it('hands work back without counting an error', async () => {
      const { store, owner, hosts } = await setup();
      await store.createJob(owner.accountId, job(1, { maxErrors: 0 }), 0);
      const [a] = await store.assignWork(hosts[0], 1, 0);
      const back = await store.abandon(hosts[0], [a!.replicaId], 1);
      expect(back.abandoned).toBe(1);
      const [b] = await store.assignWork(hosts[1], 1, 2);
      expect(b?.taskId).toBe(a?.taskId);
      await store.close();
    });

    it('lets a host take again a task it handed back', async () => {
      const { store, owner, hosts } = await setup();
      await store.createJob(owner.accountId, job(1), 0);
      const [a] = await store.assignWork(hosts[0], 1, 0);
      await store.abandon(hosts[0], [a!.replicaId], 1);
      const [again] = await store.assignWork(hosts[0], 1, 2);
      expect(again?.taskId).toBe(a?.taskId);
      expect(again?.replicaId).not.toBe(a?.replicaId);
      await store.close();
    });

    it('counts the late answer of a handed-back replica while its task is open', async () => {
      const { store, owner, hosts } = await setup();
      const j = await store.createJob(owner.accountId, job(1), 0);
      const [a] = await store.assignWork(hosts[0], 1, 0);
      await store.abandon(hosts[0], [a!.replicaId], 1);
      // The host was away, finished the replica anyway and reports it on its return.
      const late = await store.applyReports(hosts[0], [ok(a!.replicaId)], 2);
      expect(late.statuses).toEqual(['accepted']);
      const [result] = await store.listResults(j.id, 0, 10);
      expect(result).toMatchObject({ outcome: 'valid' });
      // Settled by it: the reissue is not sent to anyone, and the task settles once.
      expect(await store.assignWork(hosts[1], 1, 3)).toEqual([]);
      expect((await store.getJob(j.id, owner))?.progress).toMatchObject({ valid: 1, pending: 0 });
      expect((await store.applyReports(hosts[0], [ok(a!.replicaId)], 4)).statuses).toEqual([
        'duplicate',
      ]);
      await store.close();
    });

    it('never lets one host vote twice with a late answer of a task it took again', async () => {
      const { store, owner, hosts } = await setup();
      const j = await store.createJob(owner.accountId, job(1, { redundancy: 2 }), 0);
      const [a] = await store.assignWork(hosts[0], 1, 0);
      await store.abandon(hosts[0], [a!.replicaId], 1);
      const [again] = await store.assignWork(hosts[0], 1, 2);
      expect(again?.taskId).toBe(a?.taskId);
      expect((await store.applyReports(hosts[0], [ok(a!.replicaId)], 3)).statuses).toEqual([
        'late',
      ]);
      expect((await store.applyReports(hosts[0], [ok(again!.replicaId)], 4)).statuses).toEqual([
        'accepted',
      ]);
      // One host's two answers are not a quorum of two.
      expect((await store.getJob(j.id, owner))?.progress).toMatchObject({ valid: 0, pending: 1 });
      const [other] = await store.assignWork(hosts[1], 1, 5);
      await store.applyReports(hosts[1], [ok(other!.replicaId)], 6);
      const [result] = await store.listResults(j.id, 0, 10);
      expect(result).toMatchObject({ outcome: 'valid' });
      await store.close();
    });

    it('only notes a late answer once its task settled or its job was cancelled', async () => {
      const { store, owner, hosts } = await setup();
      const settled = await store.createJob(owner.accountId, job(1), 0);
      const [a] = await store.assignWork(hosts[0], 1, 0);
      await store.abandon(hosts[0], [a!.replicaId], 1);
      const [b] = await store.assignWork(hosts[1], 1, 2);
      await store.applyReports(hosts[1], [ok(b!.replicaId)], 3);
      expect((await store.applyReports(hosts[0], [ok(a!.replicaId, 'x')], 4)).statuses).toEqual([
        'late',
      ]);
      const [result] = await store.listResults(settled.id, 0, 10);
      expect(result).toMatchObject({ outcome: 'valid' });

      const cancelled = await store.createJob(owner.accountId, job(1), 5);
      const [c] = await store.assignWork(hosts[0], 1, 5);
      await store.abandon(hosts[0], [c!.replicaId], 6);
      await store.cancelJob(cancelled.id, 7);
      expect((await store.applyReports(hosts[0], [ok(c!.replicaId)], 8)).statuses).toEqual([
        'late',
      ]);
      expect((await store.getJob(cancelled.id, owner))?.state).toBe('cancelled');
      await store.close();
    });

    it('hands a refused module back without an error, and never to the refusing host again', async () => {
      const { store, owner, hosts } = await setup();
      // maxErrors 0: one counted error would fail the task.
      const j = await store.createJob(owner.accountId, job(1, { maxErrors: 0 }), 0);
      for (const [i, code] of ['module_signature_refused', 'module_hash_mismatch'].entries()) {
        const h = hosts[i] as number;
        const [a] = await store.assignWork(h, 1, i);
        const refusal = {
          ...ok(a!.replicaId),
          success: false,
          digest: null,
          exitCode: null,
          error: { code, message: 'module refused' },
        };
        expect((await store.applyReports(h, [refusal], i)).statuses).toEqual(['accepted']);
        // Sent again (the answer was lost): recorded once.
        expect((await store.applyReports(h, [refusal], i)).statuses).toEqual(['duplicate']);
        expect(await store.assignWork(h, 1, i)).toEqual([]);
      }
      expect((await store.getJob(j.id, owner))?.progress).toMatchObject({ pending: 1, failed: 0 });
      const ready = await store.readyReplicas();
      expect(ready).toMatchObject([{ excludedHosts: [hosts[0], hosts[1]], reissue: true }]);
      // The store itself keeps the refusing hosts off it, whatever the queue asks.
      expect(await store.assignReplicas(hosts[0], ready, 4)).toEqual([]);
      const [c] = await store.assignWork(hosts[2], 1, 5);
      await store.applyReports(hosts[2], [ok(c!.replicaId)], 6);
      const [result] = await store.listResults(j.id, 0, 10);
      expect(result).toMatchObject({ outcome: 'valid', errors: [] });
      await store.close();
    });
  });
}
