/**
 * @module
 * One behavioural suite for every `Store` adapter: SQLite now, PostgreSQL next. Each
 * case drives the store through its domain verbs with explicit clocks, the way the
 * services do, and checks the decisions that matter: placement, priority, deadlines,
 * quorum, idempotence and atomicity.
 */

import {
  Assignment,
  ConflictError,
  InvalidRequestError,
  type JobView,
  NotAssignedError,
} from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { ReadyQueue, resolvePolicy } from '../policy/index.js';
import type { ChangeSet, NewJob, Principal, ReplicaPick, Store, VerifiedReport } from './store.js';

const HASH = 'a'.repeat(64);
/** A host to register, and a job and a successful report to send: for other store tests too. */
export const host = {
  name: 'h',
  platform: 'linux-x64',
  cores: 2,
  memoryBytes: 1e9,
  slots: 2,
  runtimes: ['wasm32-wasi' as const],
};

export function job(tasks: number, policy: Parameters<typeof resolvePolicy>[0] = {}): NewJob {
  return {
    module: { hash: HASH, size: 10 },
    policy: resolvePolicy(policy),
    tasks: Array.from({ length: tasks }, (_, i) => ({ args: [String(i)], env: {}, files: {} })),
  };
}

export function ok(replicaId: number, digest = 'd'): VerifiedReport {
  return {
    replicaId,
    success: true,
    digest,
    exitCode: 0,
    stdout: null,
    stderr: null,
    files: {},
    error: null,
    durationMs: 1,
  };
}

/**
 * A store whose changes feed a ready queue, as the scheduler's loop does in miniature
 * (`assignWork` takes from it), with a requester and three hosts of three accounts.
 */
export async function fedStore(open: () => Promise<Store>) {
  const raw = await open();
  // The scheduler's loop in miniature: every change feeds the queue, assignment takes from it.
  const queue = new ReadyQueue();
  const feed = <T extends { changes: ChangeSet }>(r: T): T => {
    queue.push(r.changes.ready);
    return r;
  };
  const store: Omit<Store, 'createJob'> & {
    createJob(...a: Parameters<Store['createJob']>): Promise<JobView>;
    assignWork(hostId: number, max: number, now: number): Promise<Assignment[]>;
  } = Object.assign(Object.create(raw) as Store, {
    createJob: async (...a: Parameters<Store['createJob']>) => feed(await raw.createJob(...a)).job,
    applyReports: async (...a: Parameters<Store['applyReports']>) =>
      feed(await raw.applyReports(...a)),
    expireDeadlines: async (...a: Parameters<Store['expireDeadlines']>) =>
      feed(await raw.expireDeadlines(...a)),
    abandon: async (...a: Parameters<Store['abandon']>) => feed(await raw.abandon(...a)),
    assignWork: (hostId: number, max: number, now: number) =>
      raw.assignReplicas(hostId, queue.take(hostId, max), now),
  });
  const owner = await store.createToken('requester', 'req', `t-${Math.random()}`, undefined, 0);
  // One account per host: replicas of a compared task never go to two hosts of one.
  const hosts = await Promise.all(
    [1, 2, 3].map(async (i) => {
      const prov = await store.createToken(
        'provider',
        `prov${i}`,
        `p${i}-${Math.random()}`,
        undefined,
        0,
      );
      return store.registerHost(prov.accountId, { ...host, name: `h${i}` }, 0);
    }),
  );
  return { store, owner, hosts: hosts as [number, number, number] };
}

export function describeStore(name: string, open: () => Promise<Store>): void {
  describe(`${name} store`, () => {
    it('keeps accounts’ fair-share weights: default 1, set by id, listed newest first', async () => {
      const store = await open();
      const a = await store.createToken('requester', 'alice', 'ta', undefined, 5);
      const b = await store.createToken('requester', 'bob', 'tb', undefined, 6);
      expect(await store.accountShares()).toEqual(new Map());
      expect(await store.setAccountShare(a.accountId, 2.5)).toEqual({
        id: a.accountId,
        name: 'alice',
        share: 2.5,
        createdAt: 5,
      });
      expect(await store.setAccountShare(999_999, 2)).toBeNull();
      expect(await store.accountShares()).toEqual(new Map([[a.accountId, 2.5]]));
      const listed = await store.listAccounts(10);
      expect(listed.map((r) => [r.name, r.share])).toEqual([
        ['bob', 1],
        ['alice', 2.5],
      ]);
      expect(await store.listAccounts(1)).toHaveLength(1);
      expect(b.accountId).not.toBe(a.accountId);
      await store.close();
    });

    it('refuses to assign a replica to a host that holds its task, whatever the caller asks', async () => {
      const store = await open();
      const owner = await store.createToken('requester', 'req', 'r', undefined, 0);
      const prov = await store.createToken('provider', 'prov', 'p', undefined, 0);
      const h = await store.registerHost(prov.accountId, host, 0);
      const { changes } = await store.createJob(owner.accountId, job(1, { redundancy: 2 }), 0);
      // Fair share queues each replica under its job's account.
      expect(changes.ready.map((r) => r.accountId)).toEqual([owner.accountId, owner.accountId]);
      const [a, b] = changes.ready as readonly ReplicaPick[] as [ReplicaPick, ReplicaPick];
      expect((await store.assignReplicas(h, [a, b], 1)).map((x) => x.replicaId)).toEqual([
        a.replicaId,
      ]);
      expect(await store.assignReplicas(h, [b], 2)).toEqual([]);
      expect(await store.assignReplicas(h, [a], 2)).toEqual([]);
      // A rebuilt queue knows who holds what.
      expect(await store.readyReplicas()).toEqual([
        {
          replicaId: b.replicaId,
          taskId: 1,
          jobId: 1,
          accountId: owner.accountId,
          priority: 0,
          excludedHosts: [h],
          reissue: true,
        },
      ]);
      await store.close();
    });

    it('checks the host of a retry even in a job without redundancy', async () => {
      const store = await open();
      const owner = await store.createToken('requester', 'req', 'r', undefined, 0);
      const prov = await store.createToken('provider', 'prov', 'p', undefined, 0);
      const h = await store.registerHost(prov.accountId, host, 0);
      const { changes } = await store.createJob(owner.accountId, job(1, { deadlineMs: 10 }), 0);
      const [a] = await store.assignReplicas(h, changes.ready, 0);
      const swept = await store.expireDeadlines(11, 10);
      const retry = swept.changes.ready[0] as ReplicaPick;
      expect(retry).toMatchObject({ reissue: true, excludedHosts: [h] });
      // It replaces a dead replica: its assignment looks for a checkpoint to resume.
      expect(retry.mayResume).toBeUndefined();
      expect(swept.changes.ready[0]?.accountId).toBe(owner.accountId);
      // Whatever the caller asks, the host that timed out gets neither the retry nor
      // its own replica back.
      expect(await store.assignReplicas(h, [retry], 12)).toEqual([]);
      expect(await store.assignReplicas(h, [a as Assignment], 12)).toEqual([]);
      expect(await store.readyReplicas()).toMatchObject([
        { replicaId: retry.replicaId, taskId: a?.taskId, reissue: true },
      ]);
      await store.close();
    });

    it('hands out each task as a protocol assignment, with or without stdin', async () => {
      const { store, owner, hosts } = await setup();
      const stdin = { hash: 'b'.repeat(64), size: 3 };
      const tasks: NewJob['tasks'] = [
        { args: ['a b', '"q"'], env: { X: '1' }, files: {} },
        { args: [], env: {}, stdin, files: { 'in/x.txt': stdin } },
      ];
      const created = await store.createJob(
        owner.accountId,
        { ...job(2, { deadlineMs: 5000 }), tasks },
        0,
      );
      const sent = await store.assignWork(hosts[0], 2, 100);
      expect(sent.map((a) => Assignment.parse(a))).toMatchObject([
        { ...tasks[0], stdin: null, jobId: created.id, module: { hash: HASH, size: 10 } },
        { ...tasks[1], jobId: created.id, deadline: 5100 },
      ]);
      await store.close();
    });

    const setup = () => fedStore(open);

    it('never assigns two replicas of one task to the same host', async () => {
      const { store, owner, hosts } = await setup();
      // Four tasks: a host with no record holds at most four replicas of one job.
      await store.createJob(owner.accountId, job(4, { redundancy: 3 }), 0);
      const a = await store.assignWork(hosts[0], 100, 1);
      expect(a.map((x) => x.taskId)).toEqual([1, 2, 3, 4]);
      expect(await store.assignWork(hosts[0], 100, 1)).toEqual([]);
      // Later than SPREAD_MS: replicas of one task are not sent in the same instant.
      const b = await store.assignWork(hosts[1], 100, 1000);
      expect(b.map((x) => x.taskId)).toEqual([1, 2, 3, 4]);
      await store.close();
    });

    it('serves higher priority first and first come first served within a priority', async () => {
      const { store, owner, hosts } = await setup();
      const low = await store.createJob(owner.accountId, job(2, { priority: 0 }), 0);
      const high = await store.createJob(owner.accountId, job(2, { priority: 5 }), 1);
      const later = await store.createJob(owner.accountId, job(1, { priority: 0 }), 2);
      const a = await store.assignWork(hosts[0], 5, 3);
      expect(a.map((x) => x.jobId)).toEqual([high.id, high.id, low.id, low.id, later.id]);
      await store.close();
    });

    it('validates on quorum, publishes each result once, and finishes the job', async () => {
      const { store, owner, hosts } = await setup();
      const j = await store.createJob(owner.accountId, job(1, { redundancy: 2 }), 0);
      const [r1] = await store.assignWork(hosts[0], 1, 1);
      const [r2] = await store.assignWork(hosts[1], 1, 1000);
      const first = await store.applyReports(hosts[0], [ok(r1!.replicaId)], 2);
      expect(first.statuses).toEqual(['accepted']);
      expect(await store.listResults(j.id, 0, 10)).toEqual([]);
      await store.applyReports(hosts[1], [ok(r2!.replicaId)], 3);
      const again = await store.applyReports(hosts[1], [ok(r2!.replicaId)], 4);
      expect(again.statuses).toEqual(['duplicate']);
      const results = await store.listResults(j.id, 0, 10);
      expect(results).toHaveLength(1);
      const encoded = await store.listEncodedResults(j.id, 0, 10);
      expect(encoded.map((e) => JSON.parse(e.json))).toEqual(results);
      expect(results[0]).toMatchObject({ index: 0, outcome: 'valid', exitCode: 0 });
      const view = await store.getJob(j.id, owner as Principal);
      expect(view).toMatchObject({ state: 'completed', progress: { valid: 1, pending: 0 } });
      await store.close();
    });

    it('completes a job created in parts only once every part is in and settled', async () => {
      const { store, owner, hosts } = await setup();
      const whole = job(3);
      const j = await store.createJob(
        owner.accountId,
        { ...whole, tasks: whole.tasks.slice(0, 1), tasksTotal: 3, partsUntil: 100 },
        0,
      );
      // The requester will send the rest: not a job cut short by a crash.
      expect(await store.incompleteJobs()).toEqual([]);
      const [first] = await store.assignWork(hosts[0], 10, 1);
      await store.applyReports(hosts[0], [ok(first!.replicaId)], 2);
      // One of three settled: still running, however many tasks exist so far.
      expect(await store.getJob(j.id, owner as Principal)).toMatchObject({
        state: 'running',
        progress: { valid: 1 },
      });
      const more = await store.addTasks(j.id, 1, whole.tasks.slice(1), 3, 200);
      expect(more.added).toBe(2);
      expect(more.changes.ready).toHaveLength(2);
      // The same part again (its answer was lost) adds nothing.
      expect((await store.addTasks(j.id, 1, whole.tasks.slice(1), 4, 300)).added).toBe(0);
      expect(await store.expiredParts(10_000)).toEqual([]);
      for (const pick of more.changes.ready) {
        const [a] = await store.assignReplicas(hosts[0], [pick], 4);
        await store.applyReports(hosts[0], [ok(a!.replicaId)], 5);
      }
      const results = await store.listResults(j.id, 0, 10);
      expect(results.map((r) => r.index)).toEqual([0, 1, 2]);
      // The stream's encoded form says exactly what the objects say.
      const encoded = await store.listEncodedResults(j.id, 0, 10);
      expect(encoded.map((e) => JSON.parse(e.json))).toEqual(results);
      expect(encoded.map((e) => e.cursor)).toEqual(results.map((r) => r.cursor));
      expect(await store.getJob(j.id, owner as Principal)).toMatchObject({ state: 'completed' });
      // A finished job takes no more tasks.
      await expect(store.addTasks(j.id, 3, whole.tasks.slice(0, 1), 6)).rejects.toBeInstanceOf(
        ConflictError,
      );
      await store.close();
    });

    it('refuses a part that leaves a gap or goes past the total, and expires a job left open', async () => {
      const { store, owner } = await setup();
      const whole = job(4);
      const j = await store.createJob(
        owner.accountId,
        { ...whole, tasks: whole.tasks.slice(0, 1), tasksTotal: 4, partsUntil: 100 },
        0,
      );
      await expect(store.addTasks(j.id, 2, whole.tasks.slice(2), 1, 200)).rejects.toBeInstanceOf(
        ConflictError,
      );
      await expect(store.addTasks(j.id, 1, whole.tasks, 1, 200)).rejects.toBeInstanceOf(
        InvalidRequestError,
      );
      expect((await store.addTasks(j.id, 1, whole.tasks.slice(1, 2), 1, 200)).added).toBe(1);
      expect(await store.expiredParts(150)).toEqual([]);
      expect(await store.expiredParts(250)).toEqual([j.id]);
      await store.cancelJob(j.id, 250);
      expect(await store.expiredParts(250)).toEqual([]);
      await store.close();
    });

    it('lists a job whose creation was cut short, and cancelling it ends it', async () => {
      const { store, owner } = await setup();
      const whole = job(4);
      const j = await store.createJob(
        owner.accountId,
        { ...whole, tasks: whole.tasks.slice(0, 2), tasksTotal: 4 },
        0,
      );
      expect(await store.incompleteJobs()).toEqual([j.id]);
      await store.cancelJob(j.id, 1);
      expect(await store.incompleteJobs()).toEqual([]);
      expect(await store.getJob(j.id, owner as Principal)).toMatchObject({ state: 'cancelled' });
      await store.close();
    });

    it('names, by host, the replicas still running that cancelling their job made moot', async () => {
      const { store, owner, hosts } = await setup();
      const j = await store.createJob(owner.accountId, job(4), 0);
      const [a1, a2] = await store.assignWork(hosts[0], 2, 1);
      const [b1] = await store.assignWork(hosts[1], 1, 1);
      // One has reported already: nothing runs for it any more.
      await store.applyReports(hosts[0], [ok(a2?.replicaId ?? 0)], 2);
      const changes = await store.cancelJob(j.id, 3);
      expect(changes.stop).toEqual(
        expect.arrayContaining([
          { hostId: hosts[0], replicaIds: [a1?.replicaId] },
          { hostId: hosts[1], replicaIds: [b1?.replicaId] },
        ]),
      );
      expect(changes.stop).toHaveLength(2);
      await store.close();
    });

    it('lists for the hosts asked the replicas still running of jobs that ended, and ends their leases', async () => {
      const { store, owner, hosts } = await setup();
      const ended = await store.createJob(owner.accountId, job(2), 0);
      const runs = await store.createJob(owner.accountId, job(2), 0);
      const held = await store.assignWork(hosts[0], 4, 1);
      const other = await store.assignWork(hosts[1], 4, 1);
      expect(held.length + other.length).toBe(4);
      const jobs = [ended.id, runs.id];
      // Both jobs run: nothing to stop.
      expect(await store.stopEndedWork([hosts[0], hosts[1]], jobs, 2)).toEqual([]);
      await store.cancelJob(ended.id, 3);
      const stop = await store.stopEndedWork([hosts[0]], jobs, 4);
      const mine = held.filter((a) => a.jobId === ended.id).map((a) => a.replicaId);
      expect(mine.length).toBeGreaterThan(0);
      expect(stop).toEqual([{ hostId: hosts[0], replicaIds: mine }]);
      // A host not asked about is left to the coordinator it is connected to.
      expect(stop.some((s) => s.hostId === hosts[1])).toBe(false);
      // Their leases ended: the next sweep times them out (the task settled: no reissue).
      const swept = await store.expireDeadlines(5, 100);
      expect(swept.timedOut).toBeGreaterThanOrEqual(mine.length);
      expect(swept.changes.ready).toEqual([]);
      await store.close();
    });

    it('still lists the running replicas of a cancelled job once a sweep timed them out', async () => {
      const { store, owner, hosts } = await setup();
      const j = await store.createJob(owner.accountId, job(2), 0);
      const held = await store.assignWork(hosts[0], 2, 1);
      expect(held).toHaveLength(2);
      await store.cancelJob(j.id, 3);
      // The leader's sweep comes before the other coordinator's poll: the leases the
      // cancellation ended time out, yet the host still runs them until told.
      expect((await store.expireDeadlines(4, 100)).timedOut).toBe(2);
      const stop = await store.stopEndedWork([hosts[0]], [j.id], 5);
      expect(stop).toEqual([{ hostId: hosts[0], replicaIds: held.map((a) => a.replicaId) }]);
      await store.close();
    });

    it('applies nothing of a batch that names a replica of another host', async () => {
      const { store, owner, hosts } = await setup();
      await store.createJob(owner.accountId, job(2), 0);
      const [mine] = await store.assignWork(hosts[0], 1, 1);
      const [theirs] = await store.assignWork(hosts[1], 1, 1);
      await expect(
        store.applyReports(hosts[0], [ok(mine!.replicaId), ok(theirs!.replicaId)], 2),
      ).rejects.toBeInstanceOf(NotAssignedError);
      expect((await store.applyReports(hosts[0], [ok(mine!.replicaId)], 3)).statuses).toEqual([
        'accepted',
      ]);
      await store.close();
    });

    it('times out replicas past their deadline and reissues them to another host', async () => {
      const { store, owner, hosts } = await setup();
      await store.createJob(owner.accountId, job(1, { deadlineMs: 1000 }), 0);
      const [a] = await store.assignWork(hosts[0], 1, 0);
      expect((await store.expireDeadlines(999, 10)).timedOut).toBe(0);
      const swept = await store.expireDeadlines(1001, 10);
      expect(swept.timedOut).toBe(1);
      expect(swept.changes.ready).toMatchObject([{ reissue: true, excludedHosts: [hosts[0]] }]);
      expect(await store.assignWork(hosts[0], 1, 1002)).toEqual([]);
      const [b] = await store.assignWork(hosts[1], 1, 1002);
      expect(b?.taskId).toBe(a?.taskId);
      // The late report of the first host still counts while the task is open.
      expect((await store.applyReports(hosts[0], [ok(a!.replicaId)], 1003)).statuses).toEqual([
        'accepted',
      ]);
      await store.close();
    });

    it('extends leases by heartbeat and tells a host to stop what is no longer wanted', async () => {
      const { store, owner, hosts } = await setup();
      const j = await store.createJob(owner.accountId, job(2, { deadlineMs: 1000 }), 0);
      const [a, b] = await store.assignWork(hosts[0], 2, 0);
      const hb = await store.heartbeat(hosts[0], [a!.replicaId, 99_999], 500);
      expect(hb.extended).toEqual([{ replicaId: a!.replicaId, deadline: 1500 }]);
      expect(hb.cancel).toEqual([99_999]);
      expect((await store.expireDeadlines(1200, 10)).timedOut).toBe(1); // b only
      await store.cancelJob(j.id, 1300);
      expect((await store.getJob(j.id, owner as Principal))?.state).toBe('cancelled');
      expect((await store.heartbeat(hosts[0], [a!.replicaId], 1400)).cancel).toEqual([
        a!.replicaId,
      ]);
      const results = await store.listResults(j.id, 0, 10);
      expect(results.map((r) => r.outcome)).toEqual(['cancelled', 'cancelled']);
      expect(b).toBeDefined();
      await store.close();
    });

    it('fails a task after maxErrors with every error message collected', async () => {
      const { store, owner, hosts } = await setup();
      const j = await store.createJob(owner.accountId, job(1, { maxErrors: 1 }), 0);
      for (const [i, h] of [hosts[0], hosts[1]].entries()) {
        const [a] = await store.assignWork(h, 1, i);
        const err = {
          ...ok(a!.replicaId),
          success: false,
          digest: null,
          exitCode: 3,
          error: { code: 'exit_code', message: `boom ${i}` },
        };
        await store.applyReports(h, [err], i);
      }
      const [result] = await store.listResults(j.id, 0, 10);
      const [encoded] = await store.listEncodedResults(j.id, 0, 10);
      expect(JSON.parse(encoded?.json ?? 'null')).toEqual(result);
      expect(result?.outcome).toBe('failed');
      expect(result?.errors.map((e) => e.message)).toEqual(['boom 0', 'boom 1']);
      await store.close();
    });

    it('carries a job’s module signature to every assignment, and shows it on the job', async () => {
      const { store, owner, hosts } = await setup();
      const signature = {
        publicKey: `ed25519:${'A'.repeat(43)}`,
        signature: 'Q'.repeat(86),
        publisher: 'acme',
      };
      const j = await store.createJob(owner.accountId, { ...job(2), signature }, 0);
      expect(j.signature).toEqual(signature);
      const sent = await store.assignWork(hosts[0], 2, 1);
      expect(sent.map((a) => Assignment.parse(a).signature)).toEqual([signature, signature]);
      const plain = await store.createJob(owner.accountId, job(1), 0);
      expect(plain.signature).toBeUndefined();
      const [unsigned] = await store.assignWork(hosts[0], 1, 2);
      expect(unsigned && 'signature' in unsigned).toBe(false);
      await store.close();
    });
  });
}
