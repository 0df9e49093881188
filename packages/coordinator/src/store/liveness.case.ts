/**
 * @module
 * The liveness rules of every `Store` adapter: a host registering again under its id
 * hands back the replicas it no longer holds, a silent host's replicas time out early and
 * still take a late report, a host holds no more replicas than its work buffer allows,
 * and a task failed on every host that may take it ends with `no_eligible_host`.
 */

import { describe, expect, it } from 'vitest';
import { ReadyQueue } from '../policy/index.js';
import { host, job, ok } from './store.case.js';
import type { ChangeSet, Principal, Store, VerifiedReport } from './store.js';

function failed(replicaId: number): VerifiedReport {
  return {
    ...ok(replicaId),
    success: false,
    digest: null,
    exitCode: null,
    error: { code: 'trap', message: 'unreachable executed' },
  };
}

export function describeLiveness(name: string, open: () => Promise<Store>): void {
  describe(`${name} store liveness`, () => {
    async function setup(hostCount = 2) {
      const store = await open();
      const queue = new ReadyQueue();
      const feed = (c: ChangeSet) => queue.push(c.ready);
      const owner = await store.createToken('requester', 'req', `r-${Math.random()}`, undefined, 0);
      const accounts: Principal[] = [];
      const hosts: number[] = [];
      for (let i = 0; i < hostCount; i++) {
        const p = await store.createToken(
          'provider',
          `p${i}`,
          `p${i}-${Math.random()}`,
          undefined,
          0,
        );
        accounts.push(p);
        hosts.push(await store.registerHost(p.accountId, { ...host, name: `h${i}` }, 0));
      }
      const submit = async (tasks: number, policy = {}) => {
        const { job: created, changes } = await store.createJob(
          owner.accountId,
          job(tasks, policy),
          0,
        );
        feed(changes);
        return created;
      };
      const take = (hostId: number, max: number, now: number, bufferSeconds?: number) =>
        store.assignReplicas(hostId, queue.take(hostId, max), now, undefined, { bufferSeconds });
      return { store, queue, feed, owner, accounts, hosts, submit, take };
    }

    it('hands back at once what a rejoining host no longer holds, and keeps what it does', async () => {
      const { store, feed, accounts, hosts, submit, take } = await setup();
      await submit(4);
      const sent = await take(hosts[0] as number, 4, 10);
      expect(sent).toHaveLength(4);
      const [kept, ...lost] = sent.map((a) => a.replicaId) as [number, ...number[]];
      const joined = await store.joinHost(
        (accounts[0] as Principal).accountId,
        { ...host, name: 'h0', hostId: hosts[0], holding: [kept] },
        20,
      );
      expect(joined).toMatchObject({ hostId: hosts[0], released: 3 });
      // Their tasks are ready again at once, for any host, the rejoined one included.
      expect(joined.changes.ready).toHaveLength(3);
      feed(joined.changes);
      const other = await take(hosts[1] as number, 10, 30);
      expect(other.map((a) => a.taskId).sort()).toEqual(
        sent
          .slice(1)
          .map((a) => a.taskId)
          .sort(),
      );
      // What it kept it may still report. What it handed back counts only while its task
      // is open (offline work); once the other host settled it, it comes too late.
      const { statuses } = await store.applyReports(hosts[0] as number, [ok(kept)], 40);
      expect(statuses).toEqual(['accepted']);
      const settled = await store.applyReports(
        hosts[1] as number,
        other.map((a) => ok(a.replicaId)),
        41,
      );
      expect(settled.statuses).toEqual(['accepted', 'accepted', 'accepted']);
      await expect(
        store.applyReports(hosts[0] as number, [ok(lost[0] as number)], 42),
      ).resolves.toMatchObject({ statuses: ['late'] });
      await store.close();
    });

    it('hands back what a heartbeat leaves out once it was sent long enough ago, and nothing sooner', async () => {
      const { store, feed, hosts, submit, take } = await setup();
      const h = hosts[0] as number;
      await submit(6);
      const early = await take(h, 4, 10);
      const late = await take(h, 2, 60);
      expect([...early, ...late]).toHaveLength(6);
      const [listed, ...missing] = early.map((a) => a.replicaId) as [number, ...number[]];
      // Everything listed: nothing is missing, whatever the cutoff.
      const full = await store.heartbeat(
        h,
        [...early, ...late].map((a) => a.replicaId),
        70,
        65,
      );
      expect(full).toMatchObject({ released: 0, cancel: [] });
      expect(full.extended).toHaveLength(6);
      // A list cut into parts says nothing about what it leaves out.
      const partial = await store.heartbeat(h, [listed], 80);
      expect(partial.released).toBe(0);
      // The answer that carried three of the first four never arrived; the last two may
      // still be on their way (sent after the cutoff) and stay with the host.
      const beat = await store.heartbeat(h, [listed], 90, 50);
      expect(beat).toMatchObject({ released: 3, cancel: [] });
      expect(beat.extended.map((e) => e.replicaId)).toEqual([listed]);
      expect(beat.changes.ready).toHaveLength(3);
      feed(beat.changes);
      const other = await take(hosts[1] as number, 10, 100);
      expect(other.map((a) => a.taskId).sort()).toEqual(
        early
          .slice(1)
          .map((a) => a.taskId)
          .sort(),
      );
      // Its in-flight count is what it holds: the next heartbeat finds nothing missing.
      const again = await store.heartbeat(h, [listed, ...late.map((a) => a.replicaId)], 110, 100);
      expect(again.released).toBe(0);
      // Should one of them arrive after all, its report counts while its task is open.
      const { statuses } = await store.applyReports(h, [ok(missing[0] as number)], 120);
      expect(statuses).toEqual(['accepted']);
      await store.close();
    });

    it('releases nothing when a host registers for the first time or under another id', async () => {
      const { store, accounts, hosts, submit, take } = await setup();
      await submit(2);
      await take(hosts[0] as number, 2, 10);
      const fresh = await store.joinHost(
        (accounts[0] as Principal).accountId,
        { ...host, name: 'new' },
        20,
      );
      expect(fresh.released).toBe(0);
      expect(fresh.hostId).not.toBe(hosts[0]);
      // Another account cannot name this host id: it gets a host of its own.
      const foreign = await store.joinHost(
        (accounts[1] as Principal).accountId,
        { ...host, name: 'thief', hostId: hosts[0] },
        21,
      );
      expect(foreign.released).toBe(0);
      expect(foreign.hostId).not.toBe(hosts[0]);
      await store.close();
    });

    it('times out a silent host’s replicas once, and still takes its late report', async () => {
      const { store, feed, hosts, submit, take } = await setup();
      await submit(3);
      const [a, b] = await take(hosts[0] as number, 2, 10);
      // Host 1 was seen after the cutoff (it pulled), host 0 only before.
      await take(hosts[1] as number, 1, 500);
      const silent = await store.releaseSilentHosts(100, 600);
      expect(silent.hosts).toEqual([hosts[0]]);
      expect(silent.released).toBe(2);
      expect(silent.changes.ready).toHaveLength(2);
      feed(silent.changes);
      // Looked at once per silence.
      expect((await store.releaseSilentHosts(100, 700)).hosts).toEqual([]);
      // Back with a result before its task settled elsewhere: it counts.
      const late = await store.applyReports(
        hosts[0] as number,
        [ok(a!.replicaId), ok(b!.replicaId)],
        800,
      );
      expect(late.statuses).toEqual(['accepted', 'accepted']);
      await store.close();
    });

    it('bounds a host’s replicas in flight by its slots and buffer over the job’s runtime', async () => {
      const { store, hosts, submit, take } = await setup();
      await submit(100);
      const h = hosts[0] as number;
      // Before any report: a small count per slot (host has 2 slots).
      // (Picks kept back are not queued again here: ask for few at a time.)
      const first = await take(h, 10, 10);
      expect(first).toHaveLength(8);
      // Reports of 500 ms each: a 2-second buffer is 4 replicas per slot, 8 in all.
      await store.applyReports(
        h,
        first.slice(0, 4).map((a) => ({ ...ok(a.replicaId), durationMs: 500 })),
        20,
      );
      const second = await take(h, 10, 30, 2);
      expect(second).toHaveLength(4);
      // A host asking for a bigger buffer holds more, up to the coordinator's bound.
      const third = await take(h, 10, 40, 4);
      expect(third).toHaveLength(8);
      await store.close();
    });

    it('frees a host’s in-flight bound from a cancelled job at its next heartbeat, not at the deadline', async () => {
      const { store, queue, hosts, submit, take } = await setup();
      const h = hosts[0] as number;
      const first = await submit(20);
      const held = await take(h, 10, 10);
      expect(held).toHaveLength(8);
      await store.cancelJob(first.id, 20);
      queue.dropJob(first.id);
      await submit(20);
      // Full: the cancelled job's replicas still count.
      expect(await take(h, 10, 30)).toHaveLength(0);
      const beat = await store.heartbeat(
        h,
        held.map((a) => a.replicaId),
        40,
      );
      expect(beat.cancel).toHaveLength(8);
      const swept = await store.expireDeadlines(41, 100);
      expect(swept.timedOut).toBe(8);
      expect(await take(h, 10, 50)).toHaveLength(8);
      await store.close();
    });

    it('fails a task with no_eligible_host once every connected host failed it and none joined', async () => {
      const { store, feed, hosts, submit, take } = await setup();
      const created = await submit(1, { maxErrors: 5 });
      for (const [i, h] of hosts.entries()) {
        const [a] = await take(h, 1, 10 + i);
        const r = await store.applyReports(h, [failed(a!.replicaId)], 20 + i);
        feed(r.changes);
      }
      const scope = { seenSince: 0, connected: [], startedAt: 0, boundMs: 1000, limit: 100 };
      // Waiting: not long enough since the replica was created.
      expect((await store.failStrandedTasks(scope, 500)).failed).toBe(0);
      // A connected host that never held the task could still take it.
      const p = await store.createToken('provider', 'late', 'late-token', undefined, 0);
      const newcomer = await store.registerHost(p.accountId, { ...host, name: 'late' }, 30);
      expect((await store.failStrandedTasks(scope, 5000)).failed).toBe(0);
      // Gone silent (seen before seenSince, not connected): the task fails with its reason.
      const gone = { ...scope, seenSince: 40, connected: hosts };
      const done = await store.failStrandedTasks(gone, 5000);
      expect(done.failed).toBe(1);
      expect(done.changes.jobs).toEqual([created.id]);
      const [result] = await store.listResults(created.id, 0, 10);
      expect(result).toMatchObject({
        outcome: 'failed',
        reason: { code: 'no_eligible_host' },
      });
      expect(result?.errors).toHaveLength(2);
      expect(newcomer).toBeGreaterThan(0);
      await store.close();
    });

    it('counts only hosts that meet the job’s requirements as able to take a stranded task', async () => {
      const { store, feed, owner, hosts, take } = await setup();
      const { job: created, changes } = await store.createJob(
        owner.accountId,
        { ...job(1, { maxErrors: 5 }), requirements: { minMemoryBytes: host.memoryBytes } },
        0,
      );
      feed(changes);
      for (const [i, h] of hosts.entries()) {
        const [a] = await take(h, 1, 10 + i);
        feed((await store.applyReports(h, [failed(a!.replicaId)], 20 + i)).changes);
      }
      // Connected, but with too little memory for the job: it could never take the task.
      const p = await store.createToken('provider', 'small', 'small-token', undefined, 0);
      const small = { ...host, name: 'small', memoryBytes: host.memoryBytes / 2 };
      expect(await store.registerHost(p.accountId, small, 30)).toBeGreaterThan(0);
      const scope = { seenSince: 0, connected: [], startedAt: 0, boundMs: 1000, limit: 100 };
      const done = await store.failStrandedTasks(scope, 5000);
      expect(done.failed).toBe(1);
      const [result] = await store.listResults(created.id, 0, 10);
      expect(result?.reason?.code).toBe('no_eligible_host');
      await store.close();
    });
  });
}
