/**
 * @module
 * The dashboard's reads, as every store must answer them: counters scoped to the
 * caller's jobs, hosts online by platform, failures of active tasks with their codes,
 * and a job's tasks paged by index with each replica's host and validation outcome.
 */

import { JobTasksQuery } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { host, job, ok } from './store.case.js';
import type { Store, VerifiedReport } from './store.js';

function failed(replicaId: number, code: 'time_limit' | 'trap'): VerifiedReport {
  return {
    ...ok(replicaId),
    success: false,
    digest: null,
    exitCode: null,
    error: { code, message: `${code} here` },
  };
}

const page = (q: Partial<Record<'after' | 'limit' | 'only', string>> = {}) =>
  JobTasksQuery.parse(q);

export function describeDashboard(name: string, open: () => Promise<Store>): void {
  describe(`${name} store: the dashboard's reads`, () => {
    it('counts tasks, replicas and failures of the caller’s jobs only; admins see all', async () => {
      const store = await open();
      const alice = await store.createToken('requester', 'alice', 'a', undefined, 0);
      const bob = await store.createToken('requester', 'bob', 'b', undefined, 0);
      const admin = await store.createToken('admin', 'admin', 'x', undefined, 0);
      const prov = await store.createToken('provider', 'prov', 'p', undefined, 0);
      const h = await store.registerHost(prov.accountId, { ...host, slots: 8 }, 0);
      const { changes } = await store.createJob(alice.accountId, job(3), 0);
      await store.createJob(bob.accountId, job(5), 0);
      const [a, b] = await store.assignReplicas(h, changes.ready, 1);
      await store.applyReports(h, [ok(a!.replicaId), failed(b!.replicaId, 'trap')], 2);

      const scope = { onlineSince: 0, connected: [] };
      const mine = await store.gridSnapshot(alice, scope, 10);
      expect(mine.tasks).toEqual({ pending: 2, valid: 1, failed: 0, noConsensus: 0, cancelled: 0 });
      expect(mine.validated).toBe(1);
      // b's task was reissued (maxErrors 3): its new replica waits; the third task runs.
      expect(mine.replicas).toEqual({ unsent: 1, inProgress: 1 });
      expect(mine.failureCodes).toEqual([{ code: 'trap', count: 1 }]);
      expect(mine.failures).toMatchObject([
        {
          replicaId: b!.replicaId,
          taskIndex: 1,
          hostName: 'h',
          platform: 'linux-x64',
          code: 'trap',
        },
      ]);

      const theirs = await store.gridSnapshot(bob, scope, 10);
      expect(theirs.tasks.pending).toBe(5);
      expect(theirs.validated).toBe(0);
      expect(theirs.failures).toEqual([]);
      expect(theirs.replicas).toEqual({ unsent: 5, inProgress: 0 });

      const all = await store.gridSnapshot(admin, scope, 10);
      expect(all.tasks.pending).toBe(7);
      expect(all.failureCodes).toEqual([{ code: 'trap', count: 1 }]);
      await store.close();
    });

    it('counts hosts online by platform: seen lately, or connected however long ago', async () => {
      const store = await open();
      const prov = await store.createToken('provider', 'prov', 'p', undefined, 0);
      const who = await store.createToken('requester', 'r', 'r', undefined, 0);
      const old = await store.registerHost(prov.accountId, { ...host, name: 'old' }, 100);
      await store.registerHost(prov.accountId, { ...host, name: 'new', slots: 3 }, 5000);
      await store.registerHost(
        prov.accountId,
        { ...host, name: 'tab', platform: 'browser-wasm', slots: 1 },
        5000,
      );

      const recent = await store.gridSnapshot(who, { onlineSince: 1000, connected: [] }, 6000);
      expect(recent.hostsOnline).toEqual([
        { platform: 'browser-wasm', hosts: 1, slots: 1 },
        { platform: 'linux-x64', hosts: 1, slots: 3 },
      ]);
      const withSocket = await store.gridSnapshot(
        who,
        { onlineSince: 1000, connected: [old] },
        6000,
      );
      expect(withSocket.hostsOnline).toContainEqual({ platform: 'linux-x64', hosts: 2, slots: 5 });
      await store.close();
    });

    it('pages a job’s tasks by index with replicas, hosts and validation; "failed" keeps tasks with a failure', async () => {
      const store = await open();
      const owner = await store.createToken('requester', 'req', 'r', undefined, 0);
      const p1 = await store.createToken('provider', 'p1', 'p1', undefined, 0);
      const p2 = await store.createToken('provider', 'p2', 'p2', undefined, 0);
      const h1 = await store.registerHost(p1.accountId, { ...host, name: 'one', slots: 8 }, 0);
      const h2 = await store.registerHost(p2.accountId, { ...host, name: 'two', slots: 8 }, 0);
      const { job: created, changes } = await store.createJob(
        owner.accountId,
        job(3, { redundancy: 2 }),
        0,
      );
      // One task at a time: a new host may hold only so many replicas of a compared job.
      for (let i = 0; i < 3; i++) {
        const [r1] = await store.assignReplicas(h1, [changes.ready[2 * i]!], 1 + i);
        await store.applyReports(h1, [ok(r1!.replicaId)], 1 + i);
        const [r2] = await store.assignReplicas(h2, [changes.ready[2 * i + 1]!], 1 + i);
        const answer = i === 2 ? failed(r2!.replicaId, 'time_limit') : ok(r2!.replicaId);
        await store.applyReports(h2, [answer], 1 + i);
      }

      const first = await store.jobTasks(created.id, page({ limit: '2' }));
      expect(first.tasks.map((t) => [t.index, t.state])).toEqual([
        [0, 'valid'],
        [1, 'valid'],
      ]);
      expect(first.next).toBe(1);
      const replicas = first.tasks[0]!.replicas;
      expect(replicas.map((r) => [r.host?.name, r.state, r.validation])).toEqual([
        ['one', 'reported', 'valid'],
        ['two', 'reported', 'valid'],
      ]);
      const rest = await store.jobTasks(created.id, page({ after: '1', limit: '2' }));
      expect(rest.next).toBeNull();
      expect(rest.tasks).toHaveLength(1);
      expect(rest.tasks[0]!.replicas.map((r) => r.error?.code ?? null)).toContain('time_limit');

      const failing = await store.jobTasks(created.id, page({ only: 'failed' }));
      expect(failing.tasks.map((t) => t.index)).toEqual([2]);
      await store.close();
    });
  });
}
