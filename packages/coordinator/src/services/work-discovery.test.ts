import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { owns, WHOLE } from '../policy/index.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { host, job, ok } from '../store/store.case.js';
import { Hub } from './hub.js';
import { Scheduler } from './scheduler.js';
import { DISCOVERY_WINDOW, SPARE_BELOW, WorkDiscovery } from './work-discovery.js';

/**
 * Two coordinators' stores on one SQLite file: `other` stands for another coordinator,
 * `here` for this one, with its real scheduler, hub and work poll (no lag: SQLite ids
 * commit in order).
 */
async function twoCoordinators(options: { load?: boolean; slot?: number } = {}) {
  const path = join(mkdtempSync(join(tmpdir(), 'anygrid-discovery-')), 'shared.db');
  const other = new SqliteStore(path);
  await other.migrate();
  const here = new SqliteStore(path);
  await here.migrate();
  const owner = await other.createToken('requester', 'req', 'r', undefined, 0);
  const prov = await other.createToken('provider', 'prov', 'p', undefined, 0);
  const hostId = await other.registerHost(prov.accountId, { ...host, slots: 64 }, 0);
  const hub = new Hub();
  const scheduler = new Scheduler(here, hub);
  // Slot `slot` of two, as membership.ts would set it with one other coordinator live.
  if (options.slot !== undefined) scheduler.setPartition({ slot: options.slot, count: 2 });
  const log = pino({ level: 'silent' });
  const start = async () => {
    const discovery = new WorkDiscovery(here, scheduler, hub, log, { lagMs: 0 });
    await discovery.begin();
    if (options.load !== false) await scheduler.load();
    return discovery;
  };
  return { other, here, owner, hostId, hub, scheduler, start };
}

describe('work discovery between coordinators on one store', () => {
  it('queues once the replicas another coordinator created, and none of its own twice', async () => {
    const { other, here, owner, scheduler, start } = await twoCoordinators();
    const discovery = await start();
    await other.createJob(owner.accountId, job(3, { redundancy: 2 }), 1);
    await discovery.poll(2);
    expect(scheduler.queued).toBe(6);
    await discovery.poll(3);
    expect(scheduler.queued).toBe(6);
    // A job created here is queued by its own publish, not again by the poll.
    const mine = await here.createJob(owner.accountId, job(2, { redundancy: 2 }), 4);
    scheduler.publish(mine.changes);
    expect(scheduler.queued).toBe(10);
    await discovery.poll(5);
    await discovery.poll(6);
    expect(scheduler.queued).toBe(10);
  });

  it('reads a big job found elsewhere a window at a time, and skips what went elsewhere meanwhile', async () => {
    const { other, owner, hostId, scheduler, start } = await twoCoordinators();
    const discovery = await start();
    const created = await other.createJob(owner.accountId, job(DISCOVERY_WINDOW + 10), 1);
    await discovery.poll(2);
    // One window, not the whole job: the rest is read when the queue runs low.
    expect(scheduler.queued).toBe(DISCOVERY_WINDOW);
    await discovery.poll(3);
    expect(scheduler.queued).toBe(DISCOVERY_WINDOW);
    // Some are taken through the other coordinator, then the job is cancelled there: none
    // is ready any more, and this queue's entries are dropped.
    const sent = await other.assignReplicas(hostId, await other.readyReplicas(), 4);
    expect(sent.length).toBeGreaterThan(0);
    await other.cancelJob(created.job.id, 5);
    scheduler.dropJob(created.job.id);
    expect((await scheduler.assign(hostId, 1)).assignments).toEqual([]);
    expect(scheduler.queued).toBe(0);
    // The ten still pending here are read, found gone, and forgotten.
    await discovery.poll(6);
    await discovery.poll(7);
    expect(scheduler.queued).toBe(0);
  });

  it('tells a result stream open here that a task of its job settled through another coordinator', async () => {
    const { other, owner, hostId, hub, start } = await twoCoordinators();
    const discovery = await start();
    const { job: created, changes } = await other.createJob(owner.accountId, job(1), 1);
    let pokes = 0;
    hub.onJob(created.id, () => pokes++);
    await discovery.poll(2);
    expect(pokes).toBe(0);
    const [sent] = await other.assignReplicas(hostId, changes.ready, 3);
    await other.applyReports(hostId, [ok(sent?.replicaId ?? 0)], 4);
    await discovery.poll(5);
    expect(pokes).toBe(1);
    await discovery.poll(6);
    expect(pokes).toBe(1);
  });

  it('drops at once the queued replicas of a job cancelled through another coordinator', async () => {
    const { other, owner, hostId, scheduler, start } = await twoCoordinators();
    const discovery = await start();
    const { job: created } = await other.createJob(owner.accountId, job(20), 1);
    await discovery.poll(2);
    expect(scheduler.queued).toBe(20);
    await other.cancelJob(created.id, 3);
    await discovery.poll(Date.now());
    // One pull asking for one replica: the whole cancelled job leaves the queue, where a
    // queue that had not heard of it would drop its stale entries a few per pull.
    expect((await scheduler.assign(hostId, 1)).assignments).toEqual([]);
    expect(scheduler.queued).toBe(0);
  });

  it('drops a job that ended elsewhere right after the last check, at the next check due', async () => {
    const { other, owner, hostId, scheduler, start } = await twoCoordinators();
    const discovery = await start();
    const { job: first } = await other.createJob(owner.accountId, job(5), 1);
    const { job: second } = await other.createJob(owner.accountId, job(5), 1);
    await discovery.poll(2);
    expect(scheduler.queued).toBe(10);
    await other.cancelJob(first.id, 3);
    await discovery.poll(10_000);
    await other.cancelJob(second.id, 4);
    // Jobs were checked 100 ms ago: this poll sees the move but may not check yet; the
    // next one, with no move of its own, must.
    await discovery.poll(10_100);
    await discovery.poll(11_200);
    expect(scheduler.placement.knowsJob(second.id)).toBe(false);
    expect((await scheduler.assign(hostId, 1)).assignments).toEqual([]);
    expect(scheduler.queued).toBe(0);
  });

  it('fills an empty queue with every ready replica, however old', async () => {
    const { other, owner, scheduler, start } = await twoCoordinators({ load: false });
    await other.createJob(owner.accountId, job(4), 1);
    // Ready before this coordinator started, and in no queue of its own.
    const discovery = await start();
    expect(scheduler.queued).toBe(0);
    await discovery.poll(Date.now());
    expect(scheduler.queued).toBe(4);
  });

  it('reads again the fair-share weight an admin set through another coordinator', async () => {
    const { other, hostId, scheduler, start } = await twoCoordinators();
    const discovery = await start();
    const x = await other.createToken('requester', 'x', 'x', undefined, 0);
    const y = await other.createToken('requester', 'y', 'y', undefined, 0);
    const jx = (await other.createJob(x.accountId, job(40), 1)).job.id;
    await other.createJob(y.accountId, job(40), 1);
    const t0 = Date.now();
    await discovery.poll(t0);
    const ofX = async () =>
      (await scheduler.assign(hostId, 10)).assignments.filter((a) => a.jobId === jx);
    expect(await ofX()).toHaveLength(5);
    await other.setAccountShare(x.accountId, 9);
    await discovery.poll(t0 + 10_000);
    expect((await ofX()).length).toBeGreaterThanOrEqual(7);
  });
  it('queues its own slot of a job found elsewhere, and the other slot only once its own is done', async () => {
    const { other, owner, hostId, scheduler, start } = await twoCoordinators({ slot: 1 });
    const discovery = await start();
    const created = await other.createJob(owner.accountId, job(40), 1);
    const ids = created.changes.ready.map((r) => r.replicaId);
    const mine = ids.filter((id) => owns(scheduler.partition, id));
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.length).toBeLessThan(ids.length);
    await discovery.poll(2);
    expect(scheduler.queued).toBe(mine.length);
    const first = await scheduler.assign(hostId, 64);
    expect(first.assignments.map((a) => a.replicaId).sort((a, b) => a - b)).toEqual(mine);
    // Its slot is done and its queue empty: the other slot's replicas are read now, those
    // the other coordinator sent meanwhile excepted.
    const taken = await other.assignReplicas(
      hostId,
      created.changes.ready.filter((r) => !owns(scheduler.partition, r.replicaId)).slice(0, 3),
      3,
    );
    expect(taken).toHaveLength(3);
    await discovery.poll(4);
    expect(scheduler.queued).toBe(ids.length - mine.length - 3);
  });

  it('leaves to the other slot the replicas its own submit made, and takes them back when alone', async () => {
    const { here, owner, hostId, scheduler, start } = await twoCoordinators({ slot: 0 });
    const discovery = await start();
    // Enough work of its own slot that the other slot is not wanted yet.
    const big = await here.createJob(owner.accountId, job(2 * SPARE_BELOW + 20), 1);
    scheduler.publish(big.changes);
    const mine = big.changes.ready.filter((r) => owns(scheduler.partition, r.replicaId));
    expect(scheduler.queued).toBe(mine.length);
    await discovery.poll(2);
    expect(scheduler.queued).toBe(mine.length);
    // The other coordinator left (its presence ran out): every replica is this one's.
    scheduler.setPartition(WHOLE);
    await discovery.poll(3);
    expect(scheduler.queued).toBe(big.changes.ready.length);
    const all = await scheduler.assign(hostId, 1000);
    expect(new Set(all.assignments.map((a) => a.replicaId)).size).toBe(all.assignments.length);
  });
});
